import type { Collection } from 'mongodb';
import { SearchDocSchema, SearchStatus, type SearchCounts, type SearchDoc } from '@foldwise/spec';
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
  pareto: true,
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
  /**
   * Creates a search once; if one with this id exists it is left as it is (`written: false`, nothing read).
   * Idempotency key: `_id`.
   */
  create(init: SearchInit): Promise<WriteResult<SearchDoc>>;
  /** The search with this id, or null. */
  get(searchId: string): Promise<SearchDoc | null>;
  /** Sets the given fields (and `updatedAt`) in one update; repeating the same patch gives the same document. */
  update(searchId: string, patch: SearchPatch): Promise<void>;
  /** Searches, newest first, optionally only those with one status. */
  list(opts?: { status?: SearchDoc['status']; limit?: number }): Promise<SearchDoc[]>;
}

/** Builds the search repository over its collection. */
export const createSearchRepository = (col: Collection<SearchDoc>): SearchRepository => {
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
        return { written: false };
      }
    },
    async get(searchId) {
      const doc = await col.findOne({ _id: searchId });
      return doc ? read(doc) : null;
    },
    async update(searchId, patch) {
      const set = parseDoc(SearchPatchSchema, patch, 'searches.update(patch)');
      const r = await col.updateOne(
        { _id: searchId },
        { $set: encodeNestedArrays({ ...set, updatedAt: nowIso() }) as Partial<SearchDoc> },
      );
      if (r.matchedCount === 0) throw new Error(`searches.update: search "${searchId}" does not exist`);
    },
    async list(opts = {}) {
      const limit = opts.limit ?? 100;
      if (!(Number.isInteger(limit) && limit > 0))
        throw new RangeError(`limit must be a positive integer (got ${limit})`);
      const filter = opts.status === undefined ? {} : { status: opts.status };
      return (await col.find(filter).sort({ createdAt: -1, _id: 1 }).limit(limit).toArray()).map(read);
    },
  };
  return repo;
};
