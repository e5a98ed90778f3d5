import type { Collection } from 'mongodb';
import { FoldDocSchema, FoldStatus, type FoldDoc } from '@foldwise/spec';
import { decodeNestedArrays, encodeNestedArrays, isDuplicateKey, parseDoc, type WriteResult } from './shared';

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
  /**
   * The folds of a trial, by fold index. With `foldCount` it reads the ids `${trialId}:0..foldCount-1` directly
   * (FerretDB's SQLite backend pushes down only `_id` equality; other filters scan the collection).
   */
  forTrial(trialId: string, opts?: { foldCount?: number }): Promise<FoldDoc[]>;
  /** The folds of a search, by trial index then fold index. */
  forSearch(searchId: string): Promise<FoldDoc[]>;
  /** How many folds of a search are stored, optionally only those with one status. */
  count(searchId: string, opts?: { status?: FoldStatus }): Promise<number>;
}

type StoredRow = { row: number[] };

/** FerretDB v1 rejects nested arrays, so the confusion matrix is stored as one `{ row }` object per row. */
const toStored = (doc: FoldDoc): FoldDoc =>
  doc.confusionMatrix
    ? ({ ...doc, confusionMatrix: doc.confusionMatrix.map((row) => ({ row })) } as unknown as FoldDoc)
    : doc;

const fromStored = (doc: unknown): unknown => {
  const m = (doc as { confusionMatrix?: unknown } | null)?.confusionMatrix;
  if (
    !Array.isArray(m) ||
    !m.every((r) => typeof r === 'object' && r !== null && Array.isArray((r as StoredRow).row))
  )
    return doc;
  return { ...(doc as object), confusionMatrix: (m as StoredRow[]).map((r) => r.row) };
};

/** Builds the fold repository over its collection. */
export const createFoldRepository = (col: Collection<FoldDoc>): FoldRepository => {
  const read = (doc: unknown): FoldDoc =>
    parseDoc(FoldDocSchema, fromStored(decodeNestedArrays(doc)), 'folds: stored fold document is invalid');
  return {
    async record(input) {
      const doc = encodeNestedArrays(toStored(parseDoc(FoldDocSchema, input, 'folds.record(doc)')));
      try {
        await col.insertOne(doc);
        return { written: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      const { _id, ...rest } = doc;
      for (;;) {
        const stored = await col.findOne({ _id });
        if (!stored) throw new Error(`folds.record: fold "${_id}" vanished between insert and read`);
        const existing = read(stored);
        if (existing.status === FoldStatus.Completed || existing.attempt >= doc.attempt)
          return { written: false, existing };
        const swapped = await col.replaceOne(
          { _id, attempt: existing.attempt, status: existing.status },
          rest,
        );
        if (swapped.matchedCount === 1) return { written: true, existing };
      }
    },
    async get(foldId) {
      const doc = await col.findOne({ _id: foldId });
      return doc ? read(doc) : null;
    },
    async forTrial(trialId, opts = {}) {
      const k = opts.foldCount;
      if (k === undefined) return (await col.find({ trialId }).sort({ fold: 1 }).toArray()).map(read);
      if (!(Number.isInteger(k) && k >= 0))
        throw new RangeError(`foldCount must be a non-negative integer (got ${k})`);
      const docs = await Promise.all(
        Array.from({ length: k }, (_, fold) => col.findOne({ _id: `${trialId}:${fold}` })),
      );
      return docs.flatMap((d) => (d ? [read(d)] : []));
    },
    async forSearch(searchId) {
      return (await col.find({ searchId }).sort({ trialIndex: 1, fold: 1 }).toArray()).map(read);
    },
    async count(searchId, opts = {}) {
      return col.countDocuments(opts.status === undefined ? { searchId } : { searchId, status: opts.status });
    },
  };
};
