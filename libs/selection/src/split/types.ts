/** Shapes shared by every splitter: the JSON-serialisable cv spec and the plan a splitter returns. */

/** The kinds of cross-validation foldwise can plan, as used in `CvSpec.kind` and `SplitPlan.kind`. */
export const SplitKind = {
  KFold: 'kfold',
  Stratified: 'stratified',
  RepeatedKFold: 'repeated-kfold',
  RepeatedStratified: 'repeated-stratified',
  Group: 'group',
  StratifiedGroup: 'stratified-group',
  TimeSeries: 'time-series',
  ShuffleSplit: 'shuffle-split',
  Holdout: 'holdout',
  Nested: 'nested',
} as const;

/** One of the `SplitKind` values. */
export type SplitKind = (typeof SplitKind)[keyof typeof SplitKind];

/** A class label or a group label: numbers and strings, never both in one array. */
export type Label = number | string;

/** A label array, plain or typed. */
export type Labels = ArrayLike<Label>;

/** One train/test split; indices are original sample indices, sorted ascending. */
export interface Fold {
  /** Indices the model is fitted on. */
  train: Uint32Array;
  /** Indices the model is scored on. */
  test: Uint32Array;
  /** Which repetition this fold belongs to (repeated splitters only), from 0. */
  repeat?: number;
  /** Fold number within its repetition, from 0. */
  fold: number;
}

/** The folds of one cross-validation scheme over `nSamples` samples, with a hash that identifies them. */
export interface SplitPlan {
  /** The scheme that produced the folds. */
  kind: SplitKind;
  /** The folds, in the order the scheme yields them. */
  folds: Fold[];
  /** How many samples the plan covers. */
  nSamples: number;
  /** Stable 16-hex-digit hash of (kind, options, nSamples, every fold's indices). */
  hash: string;
}

/** Options of `kFold` and `stratifiedKFold`. */
export interface KFoldOptions {
  /** Number of folds, at least 2. */
  k: number;
  /** Shuffle before assigning folds (default false: contiguous, scikit-learn-identical folds). */
  shuffle?: boolean;
  /** Seed for the shuffle; required when `shuffle` is true. */
  seed?: number;
}

/** Options of `repeatedKFold` and `repeatedStratifiedKFold`. */
export interface RepeatedKFoldOptions {
  /** Number of folds per repetition, at least 2. */
  k: number;
  /** Number of repetitions, at least 1. */
  repeats: number;
  /** Seed; repetition r shuffles with `deriveSeed(seed, 'repeat', r)`. */
  seed: number;
}

/** Options of `groupKFold`. */
export interface GroupKFoldOptions {
  /** Number of folds, at least 2 and at most the number of distinct groups. */
  k: number;
}

/** Options of `timeSeriesSplit` (scikit-learn's `TimeSeriesSplit`). */
export interface TimeSeriesSplitOptions {
  /** Number of splits, at least 2. */
  nSplits: number;
  /** Samples dropped between the end of each training set and its test set (default 0). */
  gap?: number;
  /** Keep only the latest `maxTrainSize` training samples of each split. */
  maxTrainSize?: number;
  /** Samples per test set (default `floor(n / (nSplits + 1))`). */
  testSize?: number;
}

/** Options of `shuffleSplit`; sizes in (0, 1) are fractions of n, integers ≥ 1 are counts. */
export interface ShuffleSplitOptions {
  /** Number of random splits, at least 1. */
  nSplits: number;
  /** Test size: a fraction in (0, 1) (rounded up) or a count. */
  testSize: number;
  /** Train size: a fraction in (0, 1) (rounded down) or a count (default: the rest). */
  trainSize?: number;
  /** Seed; split s uses `deriveSeed(seed, 'split', s)`. */
  seed: number;
}

/** Options of `trainTestSplit`; `testSize` in (0, 1) is a fraction of n, an integer ≥ 1 a count. */
export interface TrainTestSplitOptions {
  /** Test size: a fraction in (0, 1) (rounded up) or a count. */
  testSize: number;
  /** Labels to stratify by: each class keeps its proportion in both parts. */
  stratify?: Labels;
  /** Seed for the shuffle. */
  seed: number;
  /** Shuffle before splitting (default true); false takes the last `testSize` samples as test. */
  shuffle?: boolean;
}

/** A JSON-serialisable description of a flat cross-validation scheme, resolved by `makeSplits`. */
export type CvSpec =
  | { kind: typeof SplitKind.KFold; k: number; shuffle?: boolean; seed?: number }
  | { kind: typeof SplitKind.Stratified; k: number; shuffle?: boolean; seed?: number }
  | { kind: typeof SplitKind.RepeatedKFold; k: number; repeats: number; seed: number }
  | { kind: typeof SplitKind.RepeatedStratified; k: number; repeats: number; seed: number }
  | { kind: typeof SplitKind.Group; k: number }
  | { kind: typeof SplitKind.StratifiedGroup; k: number; shuffle?: boolean; seed?: number }
  | {
      kind: typeof SplitKind.TimeSeries;
      nSplits: number;
      gap?: number;
      maxTrainSize?: number;
      testSize?: number;
    }
  | {
      kind: typeof SplitKind.ShuffleSplit;
      nSplits: number;
      testSize: number;
      trainSize?: number;
      seed: number;
    }
  | { kind: typeof SplitKind.Holdout; testSize: number; stratify?: boolean; seed: number; shuffle?: boolean };

/** The data a cv spec is resolved against: the sample count, and labels or groups where the scheme needs them. */
export interface SplitData {
  /** Number of samples. */
  n: number;
  /** Class labels (stratified schemes, and holdout with `stratify: true`). */
  y?: Labels;
  /** Group labels (group schemes). */
  groups?: Labels;
}

/** A nested cross-validation description: an outer scheme, and an inner one run on each outer training set. */
export interface NestedCvSpec {
  /** The outer scheme: estimates generalisation. */
  outer: CvSpec;
  /** The inner scheme: selects hyperparameters within each outer training set. */
  inner: CvSpec;
}

/** Outer folds, and for each outer fold an inner plan whose indices are original sample indices. */
export interface NestedSplitPlan {
  /** Always `'nested'`. */
  kind: typeof SplitKind.Nested;
  /** The outer plan over all samples. */
  outer: SplitPlan;
  /** `inner[i]` splits `outer.folds[i].train`; every index in it is an original sample index. */
  inner: SplitPlan[];
  /** How many samples the plan covers. */
  nSamples: number;
  /** Stable hash of the outer hash and every inner hash. */
  hash: string;
}
