import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

/** Outcome label of `foldwise_folds_total`. */
export const FoldOutcome = {
  Completed: 'completed',
  Failed: 'failed',
  Pruned: 'pruned',
  Cancelled: 'cancelled',
} as const;
/** One of the values of {@link FoldOutcome}. */
export type FoldOutcome = (typeof FoldOutcome)[keyof typeof FoldOutcome];

/** Outcome label of `foldwise_trials_total`. */
export const TrialOutcome = FoldOutcome;
/** One of the values of {@link TrialOutcome}. */
export type TrialOutcome = FoldOutcome;

/** Names of the metrics foldwise defines (histograms and counters without their exposition suffixes). */
export const MetricName = {
  FoldsTotal: 'foldwise_folds_total',
  FoldDurationSeconds: 'foldwise_fold_duration_seconds',
  EpochsTrainedTotal: 'foldwise_epochs_trained_total',
  SamplesTrainedTotal: 'foldwise_samples_trained_total',
  ActiveFolds: 'foldwise_active_folds',
  Slots: 'foldwise_slots',
  TrialsTotal: 'foldwise_trials_total',
  FoldRetriesTotal: 'foldwise_fold_retries_total',
  BackendInfo: 'foldwise_backend_info',
  SearchBestScore: 'foldwise_search_best_score',
} as const;

/**
 * Every metric name foldwise defines. prom-client's default process and Node.js metrics come beside them under their
 * standard names (`process_cpu_seconds_total`, `process_resident_memory_bytes`, `nodejs_*`), so stock dashboards work.
 */
export const metricNames: readonly string[] = Object.freeze(Object.values(MetricName));

/** Fold duration histogram buckets in seconds, from 0.1 s to 1 h. */
export const foldDurationBuckets: readonly number[] = Object.freeze([
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600,
]);

/** Options of {@link createTelemetry}. */
export interface TelemetryOptions {
  /** Worker pool label (`cpu`, `gpu`). */
  pool: string;
  /** Registry to define the metrics in; a new one when omitted. Metrics already defined there are reused. */
  registry?: Registry;
  /** Also collect prom-client's default process and Node.js metrics, under their standard names. Default true. */
  defaultMetrics?: boolean;
}

/** Typed updates of foldwise's metrics for one worker pool. */
export interface Telemetry {
  readonly registry: Registry;
  readonly pool: string;
  /** A fold began training: one more active fold. */
  foldStarted(model: string): void;
  /** A fold ended: counts its outcome, observes its duration, one fewer active fold. */
  foldFinished(model: string, outcome: FoldOutcome, seconds: number): void;
  /** Adds trained epochs and samples (call per epoch or per fold). */
  epochsTrained(model: string, epochs: number, samples: number): void;
  /** A fold attempt was a retry. */
  foldRetried(): void;
  /** A trial ended with this outcome. */
  trialFinished(outcome: string): void;
  /** The best score of a search so far. */
  bestScore(searchId: string, metric: string, score: number): void;
  /** Forgets a finished search's best-score series. */
  clearSearch(searchId: string): void;
  /** Concurrent fold slots of this pool. */
  setSlots(slots: number): void;
  /** The training backend this pool runs (`tensorflow`, `wasm`, `cpu`, `webgpu`); replaces the previous one. */
  setBackend(backend: string): void;
  /** The registry's text exposition. */
  metrics(): Promise<string>;
}

const getOrCreate = <M extends Metric>(registry: Registry, name: string, create: () => M): M =>
  (registry.getSingleMetric(name) as M | undefined) ?? create();

const nonNegative = (name: string, value: number): void => {
  if (!(Number.isFinite(value) && value >= 0))
    throw new RangeError(`${name} must be a finite number >= 0 (got ${value})`);
};

/** Defines foldwise's metrics (once per registry) and returns typed helpers bound to a pool. */
export const createTelemetry = (opts: TelemetryOptions): Telemetry => {
  const pool = opts.pool;
  if (typeof pool !== 'string' || pool.length === 0)
    throw new TypeError(`pool must be a non-empty string (got ${JSON.stringify(pool)})`);
  const registry = opts.registry ?? new Registry();
  const registers = [registry];
  if ((opts.defaultMetrics ?? true) && !registry.getSingleMetric('process_cpu_user_seconds_total')) {
    collectDefaultMetrics({ register: registry });
  }
  const folds = getOrCreate(
    registry,
    MetricName.FoldsTotal,
    () =>
      new Counter({
        name: MetricName.FoldsTotal,
        help: 'Folds finished, by pool and outcome.',
        labelNames: ['pool', 'outcome'],
        registers,
      }),
  );
  const duration = getOrCreate(
    registry,
    MetricName.FoldDurationSeconds,
    () =>
      new Histogram({
        name: MetricName.FoldDurationSeconds,
        help: 'Wall-clock time of one fold attempt, from start to its result, in seconds.',
        labelNames: ['pool', 'model'],
        buckets: [...foldDurationBuckets],
        registers,
      }),
  );
  const epochs = getOrCreate(
    registry,
    MetricName.EpochsTrainedTotal,
    () =>
      new Counter({
        name: MetricName.EpochsTrainedTotal,
        help: 'Training epochs completed.',
        labelNames: ['pool', 'model'],
        registers,
      }),
  );
  const samples = getOrCreate(
    registry,
    MetricName.SamplesTrainedTotal,
    () =>
      new Counter({
        name: MetricName.SamplesTrainedTotal,
        help: 'Training samples processed (samples × epochs).',
        labelNames: ['pool', 'model'],
        registers,
      }),
  );
  const active = getOrCreate(
    registry,
    MetricName.ActiveFolds,
    () =>
      new Gauge({
        name: MetricName.ActiveFolds,
        help: 'Folds training right now.',
        labelNames: ['pool'],
        registers,
      }),
  );
  const slots = getOrCreate(
    registry,
    MetricName.Slots,
    () =>
      new Gauge({
        name: MetricName.Slots,
        help: 'Concurrent fold slots of the pool.',
        labelNames: ['pool'],
        registers,
      }),
  );
  const trials = getOrCreate(
    registry,
    MetricName.TrialsTotal,
    () =>
      new Counter({
        name: MetricName.TrialsTotal,
        help: 'Trials finished, by outcome.',
        labelNames: ['outcome'],
        registers,
      }),
  );
  const retries = getOrCreate(
    registry,
    MetricName.FoldRetriesTotal,
    () =>
      new Counter({
        name: MetricName.FoldRetriesTotal,
        help: 'Fold attempts that were retries.',
        labelNames: ['pool'],
        registers,
      }),
  );
  const backendInfo = getOrCreate(
    registry,
    MetricName.BackendInfo,
    () =>
      new Gauge({
        name: MetricName.BackendInfo,
        help: 'Training backend of the pool (value 1).',
        labelNames: ['pool', 'backend'],
        registers,
      }),
  );
  const best = getOrCreate(
    registry,
    MetricName.SearchBestScore,
    () =>
      new Gauge({
        name: MetricName.SearchBestScore,
        help: 'Best cross-validated score of a search so far.',
        labelNames: ['search_id', 'metric'],
        registers,
      }),
  );

  let activeCount = 0;
  let backend: string | undefined;
  const bestMetrics = new Map<string, Set<string>>();
  folds.inc({ pool, outcome: FoldOutcome.Completed }, 0);
  retries.inc({ pool }, 0);
  active.set({ pool }, 0);

  return {
    registry,
    pool,
    foldStarted() {
      activeCount++;
      active.set({ pool }, activeCount);
    },
    foldFinished(model, outcome, seconds) {
      if (!Object.values(FoldOutcome).includes(outcome)) {
        throw new TypeError(
          `outcome must be one of ${Object.values(FoldOutcome).join(', ')} (got ${JSON.stringify(outcome)})`,
        );
      }
      nonNegative('seconds', seconds);
      folds.inc({ pool, outcome });
      duration.observe({ pool, model }, seconds);
      activeCount = Math.max(0, activeCount - 1);
      active.set({ pool }, activeCount);
    },
    epochsTrained(model, n, nSamples) {
      nonNegative('epochs', n);
      nonNegative('samples', nSamples);
      epochs.inc({ pool, model }, n);
      samples.inc({ pool, model }, nSamples);
    },
    foldRetried() {
      retries.inc({ pool });
    },
    trialFinished(outcome) {
      trials.inc({ outcome });
    },
    bestScore(searchId, metric, score) {
      if (!Number.isFinite(score)) throw new RangeError(`score must be finite (got ${score})`);
      best.set({ search_id: searchId, metric }, score);
      const names = bestMetrics.get(searchId) ?? new Set<string>();
      names.add(metric);
      bestMetrics.set(searchId, names);
    },
    clearSearch(searchId) {
      for (const metric of bestMetrics.get(searchId) ?? []) best.remove({ search_id: searchId, metric });
      bestMetrics.delete(searchId);
    },
    setSlots(n) {
      nonNegative('slots', n);
      slots.set({ pool }, n);
    },
    setBackend(name) {
      if (backend !== undefined && backend !== name) backendInfo.remove({ pool, backend });
      backend = name;
      backendInfo.set({ pool, backend: name }, 1);
    },
    metrics: () => registry.metrics(),
  };
};
