import type { Collection } from 'mongodb';
import {
  SearchDocSchema,
  SearchStatus,
  TrialStatus,
  type SearchCounts,
  type SearchDoc,
  type TrialDoc,
} from '@foldwise/spec';
import {
  decodeNestedArrays,
  encodeNestedArrays,
  isDuplicateKey,
  nowIso,
  parseDoc,
  type WriteResult,
} from './shared';

const patchable = {
  name: true,
  status: true,
  counts: true,
  best: true,
  plan: true,
  comparison: true,
  refit: true,
  error: true,
  finishedAt: true,
} as const;

/** Fields of a search that may change after it is created. */
export type SearchPatch = Partial<Pick<SearchDoc, keyof typeof patchable>>;

/** What a search is created with; status defaults to `running` and counts to zero. */
export type SearchInit = Pick<SearchDoc, '_id' | 'name' | 'spec' | 'specHash' | 'datasetHash'> &
  Partial<Pick<SearchDoc, 'status' | 'counts' | 'plan'>>;

const SearchPatchSchema = SearchDocSchema.pick(patchable).partial().strict();
const zeroCounts: SearchCounts = {
  trials: 0,
  trialsCompleted: 0,
  trialsPruned: 0,
  trialsFailed: 0,
  folds: 0,
  foldsCompleted: 0,
};

/** Searches (`searches`); every write is keyed by `_id` = search id. */
export interface SearchRepository {
  /** Creates a search once; if one with this id exists it is left as it is and returned. Idempotency key: `_id`. */
  create(init: SearchInit): Promise<WriteResult<SearchDoc>>;
  /** The search with this id, or null. */
  get(searchId: string): Promise<SearchDoc | null>;
  /** Sets the given fields (and `updatedAt`); repeating the same patch gives the same document. */
  update(searchId: string, patch: SearchPatch): Promise<SearchDoc>;
  /** Searches, newest first, optionally only those with one status. */
  list(opts?: { status?: SearchDoc['status']; limit?: number }): Promise<SearchDoc[]>;
  /**
   * Recomputes `counts` from the search's trial documents (never incremented, so safe to repeat) and writes them.
   * `foldsCompleted` sums what each trial's last aggregate counted, so a running trial's folds count once its folds
   * are aggregated (when it finishes).
   */
  refreshCounts(searchId: string): Promise<SearchCounts>;
}

/** Builds the search repository over its collection and the trials it counts. */
export const createSearchRepository = (
  col: Collection<SearchDoc>,
  trials: Collection<TrialDoc>,
): SearchRepository => {
  const read = (doc: unknown): SearchDoc =>
    parseDoc(SearchDocSchema, decodeNestedArrays(doc), 'searches: stored search document is invalid');
  const repo: SearchRepository = {
    async create(init) {
      const now = nowIso();
      const doc = parseDoc(
        SearchDocSchema,
        { status: SearchStatus.Running, counts: zeroCounts, createdAt: now, updatedAt: now, ...init },
        'searches.create(init)',
      );
      try {
        await col.insertOne(encodeNestedArrays(doc));
        return { written: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const existing = await repo.get(doc._id);
      if (!existing) throw new Error(`searches.create: search "${doc._id}" vanished between insert and read`);
      return { written: false, existing };
    },
    async get(searchId) {
      const doc = await col.findOne({ _id: searchId });
      return doc ? read(doc) : null;
    },
    async update(searchId, patch) {
      const set = parseDoc(SearchPatchSchema, patch, 'searches.update(patch)');
      const after = await col.findOneAndUpdate(
        { _id: searchId },
        { $set: encodeNestedArrays({ ...set, updatedAt: nowIso() }) as Partial<SearchDoc> },
        { returnDocument: 'after' },
      );
      if (!after) throw new Error(`searches.update: search "${searchId}" does not exist`);
      return read(after);
    },
    async list(opts = {}) {
      const limit = opts.limit ?? 100;
      if (!(Number.isInteger(limit) && limit > 0))
        throw new RangeError(`limit must be a positive integer (got ${limit})`);
      const filter = opts.status === undefined ? {} : { status: opts.status };
      return (await col.find(filter).sort({ createdAt: -1, _id: 1 }).limit(limit).toArray()).map(read);
    },
    async refreshCounts(searchId) {
      // One pass over this search's trial documents: each keeps its planned and completed folds (set when its folds
      // are aggregated), so the much larger `folds` collection is not read. FerretDB's SQLite backend serves any
      // filter but `_id` by reading the whole collection, and fold documents carry curves and confusion matrices.
      const planned = await trials
        .find({ searchId }, { projection: { status: 1, foldCount: 1, foldsCompleted: 1 } })
        .toArray();
      const n = (status: string): number => planned.filter((t) => t.status === status).length;
      const counts: SearchCounts = {
        trials: planned.length,
        trialsCompleted: n(TrialStatus.Completed),
        trialsPruned: n(TrialStatus.Pruned),
        trialsFailed: n(TrialStatus.Failed),
        folds: planned.reduce((sum, t) => sum + (t.foldCount ?? 0), 0),
        foldsCompleted: planned.reduce((sum, t) => sum + (t.foldsCompleted ?? 0), 0),
      };
      await col.updateOne({ _id: searchId }, { $set: { counts, updatedAt: nowIso() } });
      return counts;
    },
  };
  return repo;
};
