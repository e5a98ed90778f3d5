import type {
  FoldDoc,
  FoldwiseEvent,
  MetricSummary,
  ResolvedDataset,
  SearchDoc,
  TrialDoc,
} from '@foldwise/spec';

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
}

/** Trains models off the event loop (a thread per slot) and refits winners. */
export interface TrainerPort {
  readonly backend: string;
  train(
    job: TrainerJob,
    hooks: {
      signal: AbortSignal;
      checkpointEvery: number;
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

/** The MongoDB operations the activities use; every write is idempotent by its key. */
export interface StorePort {
  getFold(id: string): Promise<FoldDoc | null>;
  recordFold(doc: FoldDoc): Promise<{ written: boolean; existing?: FoldDoc | undefined }>;
  upsertTrialStart(
    doc: Pick<TrialDoc, '_id' | 'searchId' | 'trialIndex' | 'model' | 'params' | 'foldCount'>,
  ): Promise<void>;
  finishTrial(
    trialId: string,
    patch: Pick<TrialDoc, 'status'> & Partial<Pick<TrialDoc, 'prunedBy' | 'error' | 'foldsSkipped'>>,
  ): Promise<{
    metrics: Record<string, MetricSummary>;
    epochsTrained: number;
    foldsCompleted: number;
    model: string;
    params: Record<string, unknown>;
  }>;
  createSearch(doc: Pick<SearchDoc, '_id' | 'name' | 'spec' | 'specHash' | 'datasetHash'>): Promise<void>;
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
  /** Interval of liveness heartbeats while a thread trains. */
  heartbeatMs: number;
}
