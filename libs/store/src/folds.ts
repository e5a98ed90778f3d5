import type { Collection } from 'mongodb';
import { FoldDocSchema, FoldStatus, type FoldDoc } from '@foldwise/spec';
import { isDuplicateKey, parseDoc, type WriteResult } from './shared';

/** Fold results (`folds`); every write is keyed by `_id` = `${searchId}:${trialIndex}:${fold}`. */
export interface FoldRepository {
  /**
   * Records a fold result once. Idempotency key: `_id`. A stored `completed` fold is final; any other stored
   * fold is replaced only by a higher `attempt`, so a late write from a stale attempt never overwrites a newer one.
   * `existing` is the document that was stored before (returned whenever one was there).
   */
  record(doc: FoldDoc): Promise<WriteResult<FoldDoc>>;
  /** The fold with this `_id`, or null. */
  get(foldId: string): Promise<FoldDoc | null>;
  /** The folds of a trial, by fold index. */
  forTrial(trialId: string): Promise<FoldDoc[]>;
  /** The folds of a search, by trial index then fold index. */
  forSearch(searchId: string): Promise<FoldDoc[]>;
  /** How many folds of a search are stored, optionally only those with one status. */
  count(searchId: string, opts?: { status?: FoldStatus }): Promise<number>;
}

/** Builds the fold repository over its collection. */
export const createFoldRepository = (col: Collection<FoldDoc>): FoldRepository => {
  const read = (doc: unknown): FoldDoc => parseDoc(FoldDocSchema, doc, 'folds: stored fold document is invalid');
  return {
    async record(input) {
      const doc = parseDoc(FoldDocSchema, input, 'folds.record(doc)');
      try {
        await col.insertOne(doc);
        return { written: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const { _id, ...rest } = doc;
      const before = await col.findOneAndReplace(
        { _id, status: { $ne: FoldStatus.Completed }, attempt: { $lt: doc.attempt } },
        rest,
        { returnDocument: 'before' },
      );
      if (before) return { written: true, existing: read(before) };
      const existing = await col.findOne({ _id });
      if (!existing) throw new Error(`folds.record: fold "${_id}" vanished between insert and read`);
      return { written: false, existing: read(existing) };
    },
    async get(foldId) {
      const doc = await col.findOne({ _id: foldId });
      return doc ? read(doc) : null;
    },
    async forTrial(trialId) {
      return (await col.find({ trialId }).sort({ fold: 1 }).toArray()).map(read);
    },
    async forSearch(searchId) {
      return (await col.find({ searchId }).sort({ trialIndex: 1, fold: 1 }).toArray()).map(read);
    },
    async count(searchId, opts = {}) {
      return col.countDocuments(opts.status === undefined ? { searchId } : { searchId, status: opts.status });
    },
  };
};
