import type { Task } from './families';

/** One fold (or one refit) to train: data already preprocessed, labels as class ids or values. */
export interface TrainJob {
  family: string;
  params: Record<string, unknown>;
  task: Task;
  nFeatures: number;
  inputShape?: number[];
  nClasses: number;
  xTrain: Float32Array;
  yTrain: Float64Array;
  xVal: Float32Array;
  yVal: Float64Array;
  seed: number;
  /** Overrides `params.epochs`. */
  epochs?: number;
  /** Stop after this epoch (1-based), e.g. at a scheduler's rung; resume later from the checkpoint. */
  untilEpoch?: number;
  resumeFrom?: Checkpoint;
}

/** Metrics of one finished epoch; `valScore` is accuracy (classification) or −MSE (regression). */
export interface EpochReport {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valScore: number;
}

/** Everything needed to continue training exactly: weights, optimizer state, RNG and early-stopping state. */
export interface Checkpoint {
  epoch: number;
  bytes: Uint8Array;
}

/** What a finished (or paused, or early-stopped) training returns. */
export interface TrainResult {
  epochsTrained: number;
  stoppedEarly: boolean;
  curve: EpochReport[];
  /** Class ids (classification) or predicted values (regression), one per validation row. */
  valPred: Float64Array;
  /** nVal × nClasses probabilities, row-major (classification only). */
  valProba?: Float32Array;
  backend: string;
  samplesTrained: number;
  durationMs: number;
  /** CPU time of the thread that trained it, in ms (Linux: /proc/thread-self/schedstat; absent elsewhere). */
  cpuMs?: number;
  /** Time the job waited for a free trainer thread, in ms (set by the trainer pool). */
  queuedMs?: number;
  /** Time to predict the validation rows with the final weights, in ms (packed jobs share their pass's time by rows). */
  predictMs?: number;
  /** Trainable parameters of the model (weights and biases). */
  paramCount?: number;
}

/** Callbacks a training run reports to; `checkpointEvery` is in epochs (0 or absent: only at the end). */
export interface TrainHooks {
  onEpoch?(e: EpochReport): void;
  onCheckpoint?(c: Checkpoint): Promise<void> | void;
  signal?: AbortSignal;
  checkpointEvery?: number;
  /**
   * Least training time in ms between two checkpoints handed to `onCheckpoint` (counted from the start of the run);
   * a due checkpoint that comes sooner is skipped before its bytes are copied. The checkpoint a run pauses at
   * (`untilEpoch`) is always taken.
   */
  checkpointMinMs?: number;
}
