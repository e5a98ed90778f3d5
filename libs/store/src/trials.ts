import type { Collection } from 'mongodb';
import {
  MetricNameSchema,
  TrialDocSchema,
  TrialStatus,
  type MetricSummary,
  type TrialDoc,
} from '@foldwise/spec';
import { decodeNestedArrays, encodeNestedArrays, isDuplicateKey, parseDoc, type WriteResult } from './shared';

/** Options of a leaderboard query. */
export interface LeaderboardOptions {
  metric: string;
  greaterIsBetter: boolean;
  limit?: number;
  /** Trial statuses to rank; `['completed']` when omitted. */
  statuses?: readonly TrialStatus[];
}

/** One ranked trial; rank starts at 1. */
export interface LeaderboardRow {
  rank: number;
  trial: TrialDoc;
  score: MetricSummary;
}

/**
 * Trials (`trials`): one document per trial, written once when the trial ends (with its fold aggregates, computed by
 * the activity that finishes it). Every write is keyed by `_id` = `${searchId}:${trialIndex}`.
 */
export interface TrialRepository {
  /** Inserts a trial once; a second insert of the same `_id` writes nothing (`written: false`). Idempotency key: `_id`. */
  insert(doc: TrialDoc): Promise<WriteResult<TrialDoc>>;
  /**
   * Writes a trial whole, replacing the document with its `_id` (or inserting it): a trial that repeats on demand added
   * folds to is written again with all of them. Idempotent: the same document twice leaves the same state.
   */
  replace(doc: TrialDoc): Promise<void>;
  /** The trial with this `_id`, or null. */
  get(trialId: string): Promise<TrialDoc | null>;
  /** The trials of a search by trial index, optionally only those with one status. */
  forSearch(searchId: string, opts?: { status?: TrialStatus }): Promise<TrialDoc[]>;
  /** The trials of a search ranked by the mean of one metric. */
  leaderboard(searchId: string, opts: LeaderboardOptions): Promise<LeaderboardRow[]>;
}

/** Builds the trial repository over its collection. */
export const createTrialRepository = (col: Collection<TrialDoc>): TrialRepository => {
  const read = (doc: unknown): TrialDoc =>
    parseDoc(TrialDocSchema, decodeNestedArrays(doc), 'trials: stored trial document is invalid');
  const repo: TrialRepository = {
    async insert(input) {
      const doc = parseDoc(TrialDocSchema, input, 'trials.insert(doc)');
      try {
        await col.insertOne(encodeNestedArrays(doc));
        return { written: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return { written: false };
      }
    },
    async replace(input) {
      const doc = parseDoc(TrialDocSchema, input, 'trials.replace(doc)');
      await col.replaceOne({ _id: doc._id }, encodeNestedArrays(doc), { upsert: true });
    },
    async get(trialId) {
      const doc = await col.findOne({ _id: trialId });
      return doc ? read(doc) : null;
    },
    async forSearch(searchId, opts = {}) {
      const filter = opts.status === undefined ? { searchId } : { searchId, status: opts.status };
      return (await col.find(filter).sort({ trialIndex: 1 }).toArray()).map(read);
    },
    async leaderboard(searchId, opts) {
      const metric = parseDoc(MetricNameSchema, opts.metric, 'leaderboard(opts.metric)');
      const limit = opts.limit ?? 20;
      if (!(Number.isInteger(limit) && limit > 0))
        throw new RangeError(`limit must be a positive integer (got ${limit})`);
      const statuses = opts.statuses ?? [TrialStatus.Completed];
      const docs = await col
        .find({ searchId, status: { $in: [...statuses] }, [`metrics.${metric}.n`]: { $gte: 1 } })
        .sort({ [`metrics.${metric}.mean`]: opts.greaterIsBetter ? -1 : 1, trialIndex: 1 })
        .limit(limit)
        .toArray();
      return docs.map(read).map((trial, i) => {
        const score = trial.metrics[metric];
        if (!score) throw new Error(`leaderboard: trial "${trial._id}" lost metric "${metric}"`);
        return { rank: i + 1, trial, score };
      });
    },
  };
  return repo;
};
