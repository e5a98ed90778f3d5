import type { CandidateComparison } from '@foldwise/compare';
import type { MetricSummary } from './results';
import type { CvSpec, SearchSpec } from './search';

/** Task queue names: one per resource pool for training, one for light control work and workflows. */
export const TaskQueue = {
  Control: 'foldwise-control',
  Cpu: 'foldwise-cpu',
  Gpu: 'foldwise-gpu',
} as const;

/** The training task queue of a pool. */
export function poolTaskQueue(pool: 'cpu' | 'gpu'): string {
  return pool === 'gpu' ? TaskQueue.Gpu : TaskQueue.Cpu;
}

/** Custom search attributes that the Temporal namespace must have registered. */
export const SearchAttribute = {
  Name: 'FoldwiseSearchName',
  Status: 'FoldwiseStatus',
  BestScore: 'FoldwiseBestScore',
  Model: 'FoldwiseModel',
} as const;

/** Non-retryable failure types raised by activities. */
export const FailureType = {
  InvalidSpec: 'InvalidSpec',
  InvalidData: 'InvalidData',
  ModelError: 'ModelError',
  PlanMismatch: 'PlanMismatch',
} as const;

/** A dataset reference after the SDK staged any local file: a built-in or a GridFS sha256. */
export type ResolvedDataset =
  | { builtin: string; subset?: number | undefined }
  | {
      sha256: string;
      format: 'csv' | 'jsonl';
      target: string;
      featureTypes?: Record<string, 'numeric' | 'categorical'> | undefined;
      missing: 'reject' | 'drop-rows' | 'mean' | 'most-frequent';
      groups?: string | undefined;
    };

/** What `prepareSearch` learns about the data and the folds; fixed for the whole search. */
export interface SearchPlan {
  /** sha256 of the dataset content. */
  datasetHash: string;
  /** The task, from the spec or inferred from the data. */
  task: 'classification' | 'regression';
  /** Samples available to cross-validation (after any hold-out). */
  nSamples: number;
  /** Features per sample. */
  nFeatures: number;
  /** Classes (0 for regression). */
  nClasses: number;
  /** Original class labels, index = class id. */
  classes: (string | number)[];
  /** Image shape [h, w, c] when the data are images. */
  imageShape?: number[] | undefined;
  /** Number of folds a trial runs (k × repeats; k with repeats on demand, whose later repeats only some trials run). */
  nFolds: number;
  /**
   * Repeats on demand (`cv.repeats: { auto: true, max }`): folds per repeat and the most repeats. Repeat r is folds
   * r·k … r·k + k − 1 of the plan, which holds all `max` repeats (`planHash` covers them all).
   */
  repeats?: { k: number; max: number } | undefined;
  /** Stable hash of every fold's indices. */
  planHash: string;
  /** Samples held out for the final test, 0 when none. */
  nHeldOut: number;
  /** n_test / n_train of a fold, for the corrected resampled t-test. */
  testTrainRatio: number;
  /** Primary metric and its direction. */
  primary: { name: string; greaterIsBetter: boolean };
}

/** Preprocessing of a model's features, fitted on each fold's training rows only. */
export interface PreprocessSpec {
  scale: 'standard' | 'minmax' | 'none' | 'image';
}

/** Input of `trainFold`: everything needed to rebuild the fold and train it, by reference. */
export interface TrainFoldInput {
  searchId: string;
  trialIndex: number;
  fold: number;
  nFolds: number;
  model: string;
  params: Record<string, unknown>;
  preprocess?: PreprocessSpec | undefined;
  dataset: ResolvedDataset;
  cv: CvSpec;
  seed: number;
  planHash: string;
  task: 'classification' | 'regression';
  /** Scorer names, primary first. */
  metrics: string[];
  /** Stop after this epoch (scheduler rung) and return without writing the fold document. */
  untilEpoch?: number | undefined;
  /** Continue from the checkpoint this fold paused at in an earlier rung (artifact name and epoch). */
  resumeFrom?: FoldCheckpointRef | undefined;
  /** Human summary shown in the Temporal UI. */
  label: string;
}

/** A fold's checkpoint in the `artifacts` bucket and the epoch it holds. */
export interface FoldCheckpointRef {
  checkpoint: string;
  epoch: number;
}

/** Compact result of `trainFold`; the full fold lives in MongoDB. */
export interface TrainFoldSummary {
  fold: number;
  /** `completed` wrote the fold document; `partial` stopped at a rung without writing it. */
  status: 'completed' | 'partial';
  metrics: Record<string, number>;
  /** Primary scorer value (orientation of the scorer). */
  primary: number;
  epochsTrained: number;
  durationMs: number;
  attempt: number;
  /** True when an earlier attempt had already written the fold document. */
  reused: boolean;
  backend: string;
  /** Where a `partial` fold paused, for its next rung to resume from. */
  pausedAt?: FoldCheckpointRef | undefined;
}

/** Input of a trial child workflow. */
export interface TrialInput {
  searchId: string;
  trialIndex: number;
  model: string;
  params: Record<string, unknown>;
  preprocess?: PreprocessSpec | undefined;
  dataset: ResolvedDataset;
  cv: CvSpec;
  seed: number;
  plan: SearchPlan;
  metrics: string[];
  pool: 'cpu' | 'gpu';
  /** Epochs at which the scheduler decides; empty without a scheduler. */
  rungs: number[];
  /** Folds of this trial trained at once (racing keeps it low so losers are stopped early). */
  foldConcurrency: number;
  /** Whether the parent runs fold racing (the trial then reports its folds). */
  racing: boolean;
  /**
   * Racing's `minFolds`: the trial reports its first folds together once it has this many (a racer decides nothing on
   * fewer), then each later fold but its last, whose score the search takes from the trial's result.
   */
  racingMinFolds?: number | undefined;
  /** Metrics whose value on every fold the trial returns (`foldMetrics`): a multi-objective search's objectives. */
  foldMetrics?: string[] | undefined;
  /**
   * A further repeat of a finished trial (repeats on demand): the folds to run (the plan's `nFolds` then counts every
   * fold up to the last of them), the repeat's number, and the folds its earlier repeats completed, which the trial
   * keeps and writes again with the new ones.
   */
  repeat?: { index: number; folds: number[]; prior: PriorFold[] } | undefined;
  /** Return every completed fold's scores in `folds` (repeats on demand carries them into a later repeat). */
  keepFolds?: boolean | undefined;
}

/** A fold a trial completed in an earlier repeat, as a later repeat of it carries it. */
export interface PriorFold {
  fold: number;
  primary: number;
  metrics: Record<string, number>;
  epochsTrained: number;
}

/** Evidence that pruned a trial. */
export interface PruneEvidence {
  kind: 'racing' | 'scheduler';
  evidence: Record<string, unknown>;
}

/** What a trial returns to its search. */
export interface TrialSummary {
  trialIndex: number;
  trialId: string;
  model: string;
  params: Record<string, unknown>;
  status: 'completed' | 'pruned' | 'failed' | 'cancelled';
  /** Primary score per fold index; null where the fold did not run. */
  foldScores: (number | null)[];
  metrics: Record<string, MetricSummary>;
  /** Value per fold index of each metric the trial input named in `foldMetrics`; null where the fold did not run. */
  foldMetrics?: Record<string, (number | null)[]> | undefined;
  /** Searches with constraints: how far the fold means break them in all (0: feasible). */
  violation?: number | undefined;
  epochsTrained: number;
  prunedBy?: PruneEvidence | undefined;
  error?: string | undefined;
  /** Every completed fold's scores, in fold order, when the trial input asked for them (`keepFolds`). */
  folds?: PriorFold[] | undefined;
}

/** One configuration on (or off) the Pareto front of a multi-objective search. */
export interface ParetoEntry {
  trialId: string;
  trialIndex: number;
  model: string;
  params: Record<string, unknown>;
  /** Mean of each objective over the folds, in the order of `spec.objectives`. */
  objectives: number[];
  /** Whether no other complete, feasible configuration is at least as good on every objective and better on one. */
  onFront: boolean;
  /** Share of bootstrap resamples of the shared folds in which the configuration is non-dominated. */
  pNonDominated: number;
}

/** Outcome of the final comparison of the best configurations: the type `compareTopK` returns, named for results. */
export type ComparisonResult = CandidateComparison;

/** Result of the winner's refit. */
export interface RefitResult {
  trialId: string;
  artifact: string;
  testMetrics?: Record<string, number> | undefined;
  nTrain: number;
  nTest: number;
  backend: string;
  /** CPU time the refit's training took (Linux; absent where it cannot be read). */
  trainCpuMs?: number | undefined;
}

/** Final result of a search workflow. */
export interface SearchResult {
  searchId: string;
  status: 'completed' | 'cancelled' | 'failed';
  best?:
    | {
        trialId: string;
        model: string;
        params: Record<string, unknown>;
        metric: string;
        score: number;
        ci95: [number, number];
        /** How `ci95` was computed (see `IntervalMethod`); absent in results recorded before it was named. */
        ciMethod?: string | undefined;
      }
    | undefined;
  leaderboard: TrialSummary[];
  comparison?: ComparisonResult | undefined;
  /** Multi-objective searches: every complete, feasible configuration with its front membership, front first. */
  pareto?: ParetoEntry[] | undefined;
  refit?: RefitResult | undefined;
  counts: {
    trials: number;
    completed: number;
    pruned: number;
    failed: number;
    foldsRun: number;
    foldsSkipped: number;
  };
}

/** Live progress returned by the search workflow's `status` query. */
export interface SearchProgress {
  searchId: string;
  phase: 'preparing' | 'running' | 'draining' | 'repeating' | 'comparing' | 'refitting' | 'done';
  paused: boolean;
  budget: number;
  started: number;
  inFlight: number;
  completed: number;
  pruned: number;
  failed: number;
  foldsDone: number;
  foldsTotal: number;
  best?: SearchResult['best'];
  runs: number;
}

/** Arguments of `searchWorkflow`. */
export interface SearchWorkflowInput {
  searchId: string;
  spec: SearchSpec;
  dataset: ResolvedDataset;
  /** Register search attributes (needs them registered in the namespace). */
  searchAttributes?: boolean | undefined;
  /** Events in one run's history before the search drains and continues as new (default 2500). */
  continueAfterEvents?: number | undefined;
  /** State carried across continue-as-new; absent on the first run. */
  carried?: unknown;
}
