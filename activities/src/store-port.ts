import type { StorePort } from './ports';
import type { Store } from '@foldwise/store';

/** The activities' store port over foldwise's MongoDB repositories; a failed checkpoint clean-up is logged and rethrown. */
export function createStorePort(store: Store, logger: { warn(obj: object, msg: string): void }): StorePort {
  return {
    getFold: (id) => store.folds.get(id),
    recordFold: async (doc) => {
      const r = await store.folds.record(doc);
      return { written: r.written, existing: r.existing };
    },
    foldsOfTrial: (trialId) => store.folds.forTrial(trialId),
    insertTrial: async (doc) => ({ written: (await store.trials.insert(doc)).written }),
    replaceTrial: (doc) => store.trials.replace(doc),
    createSearch: async (doc) => {
      await store.searches.create(doc);
    },
    updateSearch: (id, patch) => store.searches.update(id, patch as never),
    putArtifact: async (name, bytes, metadata) => {
      await store.artifacts.put(name, bytes, metadata);
    },
    getArtifact: (name) => store.artifacts.get(name),
    removeArtifacts: async (prefix) => {
      try {
        return (await store.artifacts.removePrefix(prefix)).length;
      } catch (error) {
        logger.warn({ prefix, err: String(error) }, 'could not remove artifacts');
        throw error;
      }
    },
  };
}
