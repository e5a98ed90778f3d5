import type { FoldDoc, FoldwiseEvent, ResolvedDataset, SearchDoc, TrialDoc } from '@foldwise/spec';

/** A dataset as the activities need it: row-major features, numeric targets, optional held-out part. */
export interface LoadedDataset {
  hash: string;
  task: 'classification' | 'regression';
  nSamples: number;
  nFeatures: number;
  X: Float32Array;
  y: Float64Array;
  classes?: (string | number)[] | undefined;
  imageShape?: [number, number, number] | undefined;
  /** Largest pixel value of an image dataset (digits 16, Fashion-MNIST 255): what `image` scaling divides by. */
  imageMax?: number | undefined;
  heldOut?: { X: Float32Array; y: Float64Array; nSamples: number } | undefined;
  /** Group id of each sample, when the data names a groups column. */
  groups?: Int32Array | undefined;
}

/** One epoch's progress as reported by the trainer. */
export interface EpochProgress {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valScore: number;
}

/** A training job handed to the trainer (data already preprocessed and gathered). */
export interface TrainerJob {
  family: string;
  params: Record<string, unknown>;
  task: 'classification' | 'regression';
  nFeatures: number;
  inputShape?: number[] | undefined;
  nClasses: number;
  xTrain: Float32Array;
  yTrain: Float64Array;
  xVal: Float32Array;
  yVal: Float64Array;
  seed: number;
  untilEpoch?: number | undefined;
  resumeFrom?: { epoch: number; bytes: Uint8Array } | undefined;
}

/** What the trainer returns for one fold. */
export interface TrainerResult {
  epochsTrained: number;
  stoppedEarly: boolean;
  curve: EpochProgress[];
  valPred: Float64Array;
  valProba?: Float32Array | undefined;
  backend: string;
  samplesTrained: number;
  /** CPU time of the thread that trained it, in ms, where the platform tells. */
  cpuMs?: number | undefined;
  /** Time the job waited for a free training slot, in ms (a worker takes one fold more than it has slots). */
  queuedMs?: number | undefined;
  /** Training wall time in ms, where the trainer measures it. */
  durationMs?: number | undefined;
  /** Time to predict the validation rows, in ms (a cost metric). */
  predictMs?: number | undefined;
  /** Trainable parameters of the model (a cost metric). */
  paramCount?: number | undefined;
}

/** Trains models off the event loop (a thread per slot) and refits winners. */
export interface TrainerPort {
  readonly backend: string;
  train(
    job: TrainerJob,
    hooks: {
      signal: AbortSignal;
      checkpointEvery: number;
      /** Least training time between two checkpoints handed to `onCheckpoint` (the one a rung pauses at excepted). */
      checkpointMinMs?: number;
      onEpoch(e: EpochProgress): void;
      onCheckpoint(c: { epoch: number; bytes: Uint8Array }): Promise<void>;
    },
  ): Promise<TrainerResult>;
  refit(
    job: TrainerJob,
    hooks: { signal: AbortSignal; onEpoch(e: EpochProgress): void },
  ): Promise<TrainerResult & { artifact: Record<string, Uint8Array> }>;
}

/** Loads datasets by reference, cached per worker. */
export interface DataPort {
  load(ref: ResolvedDataset): Promise<LoadedDataset>;
}

/** What a search document is created with (the plan is known before it is written). */
export type SearchCreate = Pick<SearchDoc, '_id' | 'name' | 'spec' | 'specHash' | 'datasetHash' | 'plan'>;

/**
 * The MongoDB operations the activities use. Every write is idempotent by its key, and the fold and trial paths only
 * insert: a read or update costs a collection scan on FerretDB's SQLite backend, so those stay off the hot path.
 */
export interface StorePort {
  /** The stored fold with this id, or null (read only when a fold is retried). */
  getFold(id: string): Promise<FoldDoc | null>;
  /** Inserts a fold once; a second write of a completed fold writes nothing and returns the stored one. */
  recordFold(doc: FoldDoc): Promise<{ written: boolean; existing?: FoldDoc | undefined }>;
  /** The stored folds of a trial (for histories that did not pass fold scores to `finishTrial`). */
  foldsOfTrial(trialId: string): Promise<FoldDoc[]>;
  /** Inserts a finished trial once; a second insert of the same `_id` writes nothing. */
  insertTrial(doc: TrialDoc): Promise<{ written: boolean }>;
  /** Writes a trial whole, replacing any document with its `_id` (a trial that further repeats added folds to). */
  replaceTrial(doc: TrialDoc): Promise<void>;
  /** Inserts a search once; a second insert of the same `_id` writes nothing. */
  createSearch(doc: SearchCreate): Promise<void>;
  updateSearch(id: string, patch: Partial<SearchDoc>): Promise<void>;
  putArtifact(name: string, bytes: Uint8Array, metadata: Record<string, unknown>): Promise<void>;
  getArtifact(name: string): Promise<Uint8Array | null>;
  /** Removes every artifact whose name starts with `prefix`; returns how many names were removed. */
  removeArtifacts(prefix: string): Promise<number>;
}

/** Publishes progress; never throws and never blocks a search (NATS is off the critical path). */
export interface EventsPort {
  publish(event: FoldwiseEvent): void;
}

/** The Prometheus instruments the activities update. */
export interface TelemetryPort {
  foldStarted(model: string): void;
  foldFinished(
    model: string,
    outcome: 'completed' | 'failed' | 'pruned' | 'cancelled',
    seconds: number,
  ): void;
  epochsTrained(model: string, epochs: number, samples: number): void;
  foldRetried(): void;
  trialFinished(outcome: string): void;
  bestScore(searchId: string, metric: string, score: number): void;
}

/** Places in `trainFold` where a fault test observes the worker or injects a fault. */
export type FaultPoint = 'fold-start' | 'fold-epoch' | 'fold-checkpoint' | 'fold-resume' | 'fold-written';

/**
 * A fault test's hook into `trainFold` (test support only: the worker installs one solely from the test-only
 * `FOLDWISE_FAULT_MODULE`, and refuses that in production). Absent in every production worker.
 */
export interface FaultPort {
  point(
    point: FaultPoint,
    info: { foldId: string; attempt: number; epoch?: number; input?: unknown; written?: boolean },
  ): void;
}

/** Everything the activity factory receives. */
export interface ActivityDeps {
  store: StorePort;
  events: EventsPort;
  telemetry: TelemetryPort;
  data: DataPort;
  trainer: TrainerPort;
  worker: { identity: string; pool: 'cpu' | 'gpu' };
  /** Epochs between checkpoints (0 disables). */
  checkpointEvery: number;
  /**
   * Least training time between two stored checkpoints of a fold, in ms (0 or absent: none). A checkpoint due
   * sooner is skipped, except the one a fold pauses at for a scheduler rung. Fast epochs would otherwise write a
   * checkpoint to GridFS every few milliseconds; a failure loses at most this much training.
   */
  checkpointMinMs?: number;
  /** Interval of liveness heartbeats while a thread trains (a fold shorter than this sends none). */
  heartbeatMs: number;
  /** Least time between two `epoch` events of one fold, in ms (0: one per epoch); the fold's curve is stored whole. */
  epochEventMs?: number;
  /** Bytes of preprocessed fold matrices a process keeps for the next fold of the same plan (default 256 MiB). */
  foldCacheBytes?: number;
  /** A fault test's hook (test support only). */
  faults?: FaultPort;
}
