import type { Collection } from 'mongodb';
import {
  MetricNameSchema,
  TrialDocSchema,
  TrialStatus,
  trialIdOf,
  FoldStatus,
  type FoldDoc,
  type MetricSummary,
  type PrunedBy,
  type TrialDoc,
} from '@foldwise/spec';
import { meanCi } from '@foldwise/compare';
import {
  decodeNestedArrays,
  encodeNestedArrays,
  isDuplicateKey,
  nowIso,
  parseDoc,
  type WriteResult,
} from './shared';
import type { FoldRepository } from './folds';

/** Options of {@link TrialRepository.aggregate}. */
export interface AggregateOptions {
  /** n_test / n_train for the Nadeau–Bengio corrected interval; the plain t interval when omitted. */
  testTrainRatio?: number;
  /** Planned folds: folds `0..foldCount-1` are read by id; defaults to the trial document's `foldCount` (stored when the aggregate creates the trial). */
  foldCount?: number;
}

/** How a running trial ends. */
export interface TrialFinish {
  status: Exclude<TrialStatus, typeof TrialStatus.Running>;
  prunedBy?: PrunedBy;
  error?: string;
  foldsSkipped?: number[];
}

/** What a trial starts with; the rest (status `running`, empty metrics, times) is filled in. */
export type TrialStart = Pick<TrialDoc, '_id' | 'searchId' | 'trialIndex' | 'model' | 'params' | 'foldCount'>;

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

/** Trials (`trials`); every write is keyed by `_id` = `${searchId}:${trialIndex}`. */
export interface TrialRepository {
  /** Creates a running trial once; if it exists (in any status) it is left as it is and returned. Idempotency key: `_id`. */
  start(doc: TrialStart): Promise<WriteResult<TrialDoc>>;
  /**
   * Creates or replaces a trial while it is `running`; a trial in a final status is left as it is and returned.
   * Read-then-write by `_id` (FerretDB scans on any other filter): writers of one trial must be sequential, as one trial workflow is.
   */
  upsert(doc: TrialDoc): Promise<WriteResult<TrialDoc>>;
  /** Recomputes a trial's metric summaries, completed-fold count and epochs from its stored folds and writes them (repeatable). */
  aggregate(trialId: string, opts?: AggregateOptions): Promise<TrialDoc>;
  /**
   * Aggregates a trial's folds, then moves it from `running` to a final status. Repeating it, or finishing an
   * already final trial, re-aggregates but leaves the status; `written` says whether the status changed.
   */
  finish(
    trialId: string,
    finish: TrialFinish,
    opts?: AggregateOptions,
  ): Promise<{ written: boolean; trial: TrialDoc }>;
  /** The trial with this `_id`, or null. */
  get(trialId: string): Promise<TrialDoc | null>;
  /** The trials of a search by trial index, optionally only those with one status. */
  forSearch(searchId: string, opts?: { status?: TrialStatus }): Promise<TrialDoc[]>;
  /** The trials of a search ranked by the mean of one metric. */
  leaderboard(searchId: string, opts: LeaderboardOptions): Promise<LeaderboardRow[]>;
}

/** Per-metric mean, sample std (ddof = 1) and 95 % t interval over the completed folds among `folds`. */
export const summarizeFolds = (
  folds: readonly FoldDoc[],
  opts: { testTrainRatio?: number } = {},
): Record<string, MetricSummary> => {
  const byMetric = new Map<string, number[]>();
  for (const fold of folds) {
    if (fold.status !== FoldStatus.Completed) continue;
    for (const [name, value] of Object.entries(fold.metrics)) {
      const values = byMetric.get(name) ?? [];
      values.push(value);
      byMetric.set(name, values);
    }
  }
  const out: Record<string, MetricSummary> = {};
  for (const [name, values] of [...byMetric].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (values.length < 2) {
      out[name] = { mean: values[0] ?? Number.NaN, std: null, ci95: null, n: values.length };
      continue;
    }
    const ci = meanCi(
      values,
      opts.testTrainRatio === undefined ? {} : { testTrainRatio: opts.testTrainRatio },
    );
    out[name] = { mean: ci.mean, std: ci.std, ci95: [ci.low, ci.high], n: values.length };
  }
  return out;
};

const parseTrialId = (trialId: string): { searchId: string; trialIndex: number } => {
  const cut = trialId.lastIndexOf(':');
  const searchId = trialId.slice(0, cut);
  const trialIndex = Number(trialId.slice(cut + 1));
  if (
    cut <= 0 ||
    !Number.isInteger(trialIndex) ||
    trialIndex < 0 ||
    trialIdOf(searchId, trialIndex) !== trialId
  ) {
    throw new TypeError(`trialId must be "<searchId>:<trialIndex>" (got ${JSON.stringify(trialId)})`);
  }
  return { searchId, trialIndex };
};

/** Builds the trial repository over its collection and the fold repository it aggregates. */
export const createTrialRepository = (col: Collection<TrialDoc>, folds: FoldRepository): TrialRepository => {
  const read = (doc: unknown): TrialDoc =>
    parseDoc(TrialDocSchema, decodeNestedArrays(doc), 'trials: stored trial document is invalid');
  const mustGet = async (trialId: string, what: string): Promise<TrialDoc> => {
    const doc = await col.findOne({ _id: trialId });
    if (!doc) throw new Error(`${what}: trial "${trialId}" does not exist`);
    return read(doc);
  };
  const repo: TrialRepository = {
    async start(input) {
      const now = nowIso();
      const doc = parseDoc(
        TrialDocSchema,
        {
          ...input,
          status: TrialStatus.Running,
          foldsCompleted: 0,
          metrics: {},
          epochsTrained: 0,
          createdAt: now,
          updatedAt: now,
        },
        'trials.start(doc)',
      );
      try {
        await col.insertOne(encodeNestedArrays(doc));
        return { written: true };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      return { written: false, existing: await mustGet(doc._id, 'trials.start') };
    },
    async upsert(input) {
      const doc = parseDoc(TrialDocSchema, input, 'trials.upsert(doc)');
      const { _id, ...rest } = doc;
      const stored = await col.findOne({ _id });
      if (!stored) {
        try {
          await col.insertOne(encodeNestedArrays(doc));
          return { written: true };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      const existing = stored ? read(stored) : await mustGet(_id, 'trials.upsert');
      if (existing.status !== TrialStatus.Running) return { written: false, existing };
      await col.replaceOne({ _id }, encodeNestedArrays(rest));
      return { written: true, existing };
    },
    async aggregate(trialId, opts = {}) {
      const { searchId, trialIndex } = parseTrialId(trialId);
      if (opts.foldCount !== undefined && !(Number.isInteger(opts.foldCount) && opts.foldCount >= 0)) {
        throw new RangeError(`foldCount must be a non-negative integer (got ${opts.foldCount})`);
      }
      const stored = await col.findOne({ _id: trialId });
      const foldCount = opts.foldCount ?? stored?.foldCount;
      const foldDocs = await folds.forTrial(trialId, foldCount === undefined ? {} : { foldCount });
      const first = foldDocs[0];
      if (!stored && !first)
        throw new Error(`trials.aggregate: trial "${trialId}" has no trial document and no folds`);
      const now = nowIso();
      const metrics = summarizeFolds(
        foldDocs,
        opts.testTrainRatio === undefined ? {} : { testTrainRatio: opts.testTrainRatio },
      );
      const set = {
        metrics,
        foldsCompleted: foldDocs.filter((f) => f.status === FoldStatus.Completed).length,
        epochsTrained: foldDocs.reduce((sum, f) => sum + f.epochsTrained, 0),
        updatedAt: now,
      };
      const onInsert = first
        ? {
            searchId,
            trialIndex,
            model: first.model,
            params: first.params,
            status: TrialStatus.Running,
            foldCount: foldCount ?? foldDocs.length,
            createdAt: now,
          }
        : {};
      const update = { $set: set, $setOnInsert: encodeNestedArrays(onInsert) };
      try {
        await col.updateOne({ _id: trialId }, update, { upsert: true });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        await col.updateOne({ _id: trialId }, update);
      }
      return mustGet(trialId, 'trials.aggregate');
    },
    async finish(trialId, finish, opts = {}) {
      const status: string = finish.status;
      if (!(Object.values(TrialStatus) as string[]).includes(status) || status === TrialStatus.Running) {
        throw new TypeError(
          `finish.status must be a final trial status (got ${JSON.stringify(finish.status)})`,
        );
      }
      const aggregated = await repo.aggregate(trialId, opts);
      if (aggregated.status !== TrialStatus.Running) return { written: false, trial: aggregated };
      const now = nowIso();
      const set: Partial<TrialDoc> = { status: finish.status, updatedAt: now, finishedAt: now };
      if (finish.prunedBy) set.prunedBy = finish.prunedBy;
      if (finish.error !== undefined) set.error = finish.error;
      if (finish.foldsSkipped) set.foldsSkipped = finish.foldsSkipped;
      await col.updateOne({ _id: trialId }, { $set: encodeNestedArrays(set) });
      return { written: true, trial: await mustGet(trialId, 'trials.finish') };
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
