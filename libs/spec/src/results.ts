import { z } from 'zod';
import { foldIdOf, trialIdOf } from './ids';

/** Outcome of one (model, configuration, fold) training run as stored in `folds`. */
export const FoldStatus = {
  Completed: 'completed',
  Failed: 'failed',
  Pruned: 'pruned',
  Cancelled: 'cancelled',
} as const;
/** One of the values of {@link FoldStatus}. */
export type FoldStatus = (typeof FoldStatus)[keyof typeof FoldStatus];

/** Lifecycle of a trial (one configuration of one model) as stored in `trials`. */
export const TrialStatus = {
  Running: 'running',
  Completed: 'completed',
  Pruned: 'pruned',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
/** One of the values of {@link TrialStatus}. */
export type TrialStatus = (typeof TrialStatus)[keyof typeof TrialStatus];

/** Lifecycle of a search as stored in `searches`. */
export const SearchStatus = {
  Running: 'running',
  Paused: 'paused',
  Completed: 'completed',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
/** One of the values of {@link SearchStatus}. */
export type SearchStatus = (typeof SearchStatus)[keyof typeof SearchStatus];

/** What stopped a trial early: fold racing (a paired test) or an epoch scheduler (ASHA, successive halving). */
export const PrunedByKind = { Racing: 'racing', Scheduler: 'scheduler' } as const;
/** One of the values of {@link PrunedByKind}. */
export type PrunedByKind = (typeof PrunedByKind)[keyof typeof PrunedByKind];

const isoTimestamp = z.iso.datetime({ offset: true });
const index = z.int().nonnegative();
const idToken = z
  .string()
  .min(1)
  .regex(/^[^:.*>\s]+$/, "must not be empty or contain ':', '.', '*', '>' or whitespace");

/** A search id: one NATS subject token that also keeps `${searchId}:${trialIndex}` ids unambiguous. */
export const SearchIdTokenSchema = idToken;

/** A metric name, usable as a MongoDB field name and in dotted paths: letters, digits and '_', not starting with a digit. */
export const MetricNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be letters, digits and '_' and not start with a digit");

/** Metric values by metric name. */
export const MetricValuesSchema = z.record(MetricNameSchema, z.number());

/** Hyperparameter values of one configuration by name (JSON values in practice). */
export const ParamsSchema = z.record(z.string(), z.unknown());
/** Hyperparameter values of one configuration. */
export type Params = z.infer<typeof ParamsSchema>;

/** One point of a fold's learning curve; losses and scores are null when training produced a non-finite value. */
export const CurvePointSchema = z.object({
  epoch: index,
  trainLoss: z.number().nullable(),
  valLoss: z.number().nullable(),
  valScore: z.number().nullable(),
});
/** One point of a fold's learning curve. */
export type CurvePoint = z.infer<typeof CurvePointSchema>;

/** A fold result document (`folds`); `fold` is the global fold index across repeats, `repeat` is informational. */
export const FoldDocSchema = z
  .object({
    _id: z.string(),
    searchId: SearchIdTokenSchema,
    trialId: z.string(),
    trialIndex: index,
    fold: index,
    repeat: index.optional(),
    model: z.string().min(1),
    params: ParamsSchema,
    status: z.enum(FoldStatus),
    metrics: MetricValuesSchema,
    confusionMatrix: z.array(z.array(z.number())).optional(),
    curve: z.array(CurvePointSchema),
    epochsTrained: index,
    splitHash: z.string(),
    backend: z.string(),
    worker: z.string(),
    attempt: z.int().positive(),
    durationMs: z.number().nonnegative(),
    /** CPU time of the training thread while it trained this fold (Linux; absent where it cannot be read). */
    trainCpuMs: z.number().nonnegative().optional(),
    nTrain: index,
    nVal: index,
    valPredictionsRef: z.string().optional(),
    /** Epoch of the checkpoint a retried attempt resumed from (absent when it trained from scratch). */
    resumedFromEpoch: index.optional(),
    error: z.string().optional(),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .superRefine((doc, ctx) => {
    const trialId = trialIdOf(doc.searchId, doc.trialIndex);
    if (doc.trialId !== trialId) {
      ctx.addIssue({
        code: 'custom',
        path: ['trialId'],
        message: `must be "${trialId}" (got "${doc.trialId}")`,
      });
    }
    const foldId = foldIdOf(doc.searchId, doc.trialIndex, doc.fold);
    if (doc._id !== foldId) {
      ctx.addIssue({ code: 'custom', path: ['_id'], message: `must be "${foldId}" (got "${doc._id}")` });
    }
  });
/** A fold result document (`folds`). */
export type FoldDoc = z.infer<typeof FoldDocSchema>;

/**
 * Mean, sample standard deviation (ddof = 1) and 95 % confidence interval of one metric over n folds; std and ci95
 * are null when n < 2. `ciMethod` names how the interval was computed (`corrected-t`, `logit-corrected-t` for a
 * metric bounded on both sides, `log-corrected-t` for a half-bounded one; see `IntervalMethod` in
 * `@foldwise/compare`); documents written before it existed have none (a plain corrected t interval).
 */
export const MetricSummarySchema = z.object({
  mean: z.number(),
  std: z.number().nonnegative().nullable(),
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  ciMethod: z.string().optional(),
  n: z.int().positive(),
});
/** Summary of one metric over a trial's completed folds. */
export type MetricSummary = z.infer<typeof MetricSummarySchema>;

/** Why a trial was stopped early and the numbers that justified it. */
export const PrunedBySchema = z.object({
  kind: z.enum(PrunedByKind),
  evidence: z.record(z.string(), z.unknown()),
});
/** Why a trial was stopped early. */
export type PrunedBy = z.infer<typeof PrunedBySchema>;

/** A trial document (`trials`), one configuration of one model with its fold aggregates. */
export const TrialDocSchema = z
  .object({
    _id: z.string(),
    searchId: SearchIdTokenSchema,
    trialIndex: index,
    model: z.string().min(1),
    params: ParamsSchema,
    status: z.enum(TrialStatus),
    foldCount: index,
    foldsCompleted: index,
    metrics: z.record(MetricNameSchema, MetricSummarySchema),
    epochsTrained: index,
    foldsSkipped: z.array(index).optional(),
    /** Repeats on demand: the k-fold repeats this trial's folds cover, when the search added any (absent: one). */
    repeats: z.int().min(1).optional(),
    prunedBy: PrunedBySchema.optional(),
    error: z.string().optional(),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
    finishedAt: isoTimestamp.optional(),
  })
  .superRefine((doc, ctx) => {
    const trialId = trialIdOf(doc.searchId, doc.trialIndex);
    if (doc._id !== trialId) {
      ctx.addIssue({ code: 'custom', path: ['_id'], message: `must be "${trialId}" (got "${doc._id}")` });
    }
  });
/** A trial document (`trials`). */
export type TrialDoc = z.infer<typeof TrialDocSchema>;

/** Progress counters of a search, recomputed from `trials` and `folds`. */
export const SearchCountsSchema = z.object({
  trials: index,
  trialsCompleted: index,
  trialsPruned: index,
  trialsFailed: index,
  folds: index,
  foldsCompleted: index,
});
/** Progress counters of a search. */
export type SearchCounts = z.infer<typeof SearchCountsSchema>;

/** The best configuration found so far. */
export const BestSchema = z.object({
  trialId: z.string(),
  model: z.string(),
  params: ParamsSchema,
  metric: MetricNameSchema,
  score: z.number(),
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  ciMethod: z.string().optional(),
});
/** The best configuration found so far. */
export type Best = z.infer<typeof BestSchema>;

/** Where a search's refit winner is stored (an artifact name prefix) and how it scored on held-out data. */
export const RefitSchema = z.looseObject({
  trialId: z.string(),
  artifact: z.string(),
  testMetrics: z.record(z.string(), z.number()).optional(),
});

/** A search document (`searches`); `spec` is the submitted search spec as JSON, `plan` the engine's plan of it. */
export const SearchDocSchema = z.object({
  _id: SearchIdTokenSchema,
  name: z.string(),
  spec: z.record(z.string(), z.unknown()),
  specHash: z.string(),
  datasetHash: z.string(),
  status: z.enum(SearchStatus),
  counts: SearchCountsSchema,
  best: BestSchema.optional(),
  plan: z.unknown().optional(),
  comparison: z.unknown().optional(),
  /** Multi-objective searches: the Pareto front and the rest of the feasible configurations (`ParetoEntry[]`). */
  pareto: z.unknown().optional(),
  refit: RefitSchema.optional(),
  error: z.string().optional(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  finishedAt: isoTimestamp.optional(),
});
/** A search document (`searches`). */
export type SearchDoc = z.infer<typeof SearchDocSchema>;
