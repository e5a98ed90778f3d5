import {
  type DenseSpec,
  type FamilyContext,
  type TrainingParams,
  getFamily,
  parseParams,
  trainingParams,
} from './families';
import { Rng } from './rng';
import type { TrainJob } from './types';

/** Rng stream of the early-stopping split (distinct from the shuffle and dropout streams). */
const STOP_SPLIT_STREAM = 0x5701;

/** The rows a job is finally scored on, when training watched other rows (early stopping's held-back split). */
export interface ScoringRows {
  xVal: Float32Array;
  yVal: Float64Array;
  nVal: number;
}

/** A job after validation: parsed params, training settings and row counts. */
export interface PreparedJob {
  job: TrainJob;
  params: Record<string, unknown>;
  tp: TrainingParams;
  ctx: FamilyContext;
  dense?: DenseSpec;
  /** Rows `job.xTrain` trains on. */
  nTrain: number;
  /** Rows `job.xVal` the loop watches each epoch: the fold's validation rows, or early stopping's held-back split. */
  nVal: number;
  /**
   * With early stopping: the fold's own validation rows, which the model is scored on once trained. `job` then trains
   * on the rest of the training rows and watches the held-back `validationFraction` of them (`job.xVal`).
   */
  scoreOn?: ScoringRows;
  outDim: number;
  totalEpochs: number;
  stopAt: number;
}

/** Validates a job's shapes and params; every error names the offending field. */
export function prepareJob(job: TrainJob): PreparedJob {
  const fam = getFamily(job.family);
  if (job.task !== 'classification' && job.task !== 'regression') {
    throw new Error(`task: expected "classification" or "regression" (got ${String(job.task)})`);
  }
  if (fam.tasks && !fam.tasks.includes(job.task)) {
    throw new Error(
      `task: family "${job.family}" does not support ${job.task} (supports ${fam.tasks.join(', ')})`,
    );
  }
  if (!Number.isInteger(job.nFeatures) || job.nFeatures < 1)
    throw new Error(`nFeatures: expected a positive integer (got ${job.nFeatures})`);
  if (job.task === 'classification' && (!Number.isInteger(job.nClasses) || job.nClasses < 2)) {
    throw new Error(`nClasses: expected an integer ≥ 2 for classification (got ${job.nClasses})`);
  }
  if (job.xTrain.length % job.nFeatures !== 0) {
    throw new Error(`xTrain: length ${job.xTrain.length} is not a multiple of nFeatures ${job.nFeatures}`);
  }
  if (job.xVal.length % job.nFeatures !== 0) {
    throw new Error(`xVal: length ${job.xVal.length} is not a multiple of nFeatures ${job.nFeatures}`);
  }
  const nTrain = job.xTrain.length / job.nFeatures;
  const nVal = job.xVal.length / job.nFeatures;
  if (nTrain < 1) throw new Error('xTrain: no training rows');
  if (job.yTrain.length !== nTrain)
    throw new Error(`yTrain: ${job.yTrain.length} labels for ${nTrain} rows of xTrain`);
  if (job.yVal.length !== nVal) throw new Error(`yVal: ${job.yVal.length} labels for ${nVal} rows of xVal`);
  if (job.task === 'classification') {
    for (const [name, ys] of [
      ['yTrain', job.yTrain],
      ['yVal', job.yVal],
    ] as const) {
      for (let i = 0; i < ys.length; i++) {
        const y = ys[i]!;
        if (!Number.isInteger(y) || y < 0 || y >= job.nClasses) {
          throw new Error(`${name}[${i}]: class id must be an integer in [0, ${job.nClasses}) (got ${y})`);
        }
      }
    }
  }
  if (!Number.isInteger(job.seed)) throw new Error(`seed: expected an integer (got ${job.seed})`);
  const params = parseParams(job.family, job.params);
  const tp = trainingParams(params);
  const totalEpochs = job.epochs ?? tp.epochs;
  if (!Number.isInteger(totalEpochs) || totalEpochs < 1)
    throw new Error(`epochs: expected a positive integer (got ${totalEpochs})`);
  if (job.untilEpoch !== undefined && (!Number.isInteger(job.untilEpoch) || job.untilEpoch < 1)) {
    throw new Error(`untilEpoch: expected a positive integer (got ${job.untilEpoch})`);
  }
  const ctx: FamilyContext = {
    task: job.task,
    nFeatures: job.nFeatures,
    nClasses: job.nClasses,
    seed: job.seed,
    ...(job.inputShape ? { inputShape: job.inputShape } : {}),
  };
  const dense = fam.dense?.(params as never, ctx);
  const held = tp.earlyStopping ? holdBack(job, nTrain, tp.earlyStopping.validationFraction) : undefined;
  return {
    job: held ? held.job : job,
    params,
    tp,
    ctx,
    ...(dense ? { dense } : {}),
    nTrain: held ? held.nTrain : nTrain,
    nVal: held ? held.nStop : nVal,
    ...(held ? { scoreOn: { xVal: job.xVal, yVal: job.yVal, nVal } } : {}),
    outDim: job.task === 'classification' ? job.nClasses : 1,
    totalEpochs,
    stopAt: Math.min(totalEpochs, job.untilEpoch ?? Infinity),
  };
}

/**
 * Splits `fraction` of a job's training rows off for early stopping to watch (seeded by the job's seed; per class for
 * classification, at least one row of each class with two or more), and returns the job that trains on the rest and
 * watches them. Undefined when the training rows are too few to split (fewer than 2 would remain to train on).
 */
export function holdBack(
  job: TrainJob,
  nTrain: number,
  fraction: number,
): { job: TrainJob; nTrain: number; nStop: number } | undefined {
  const rng = new Rng(job.seed, STOP_SPLIT_STREAM);
  const stop: number[] = [];
  if (job.task === 'classification') {
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < nTrain; i++) {
      const y = job.yTrain[i]!;
      const rows = byClass.get(y);
      if (rows) rows.push(i);
      else byClass.set(y, [i]);
    }
    for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
      const rows = rng.shuffle(Int32Array.from(byClass.get(y)!));
      if (rows.length < 2) continue;
      const take = Math.min(rows.length - 1, Math.max(1, Math.round(fraction * rows.length)));
      for (let j = 0; j < take; j++) stop.push(rows[j]!);
    }
  } else {
    const rows = rng.shuffle(Int32Array.from({ length: nTrain }, (_, i) => i));
    const take = Math.max(1, Math.round(fraction * nTrain));
    for (let j = 0; j < take; j++) stop.push(rows[j]!);
  }
  if (stop.length === 0 || nTrain - stop.length < 2) return undefined;
  const isStop = new Uint8Array(nTrain);
  for (const i of stop) isStop[i] = 1;
  stop.sort((a, b) => a - b);
  const keep: number[] = [];
  for (let i = 0; i < nTrain; i++) if (!isStop[i]) keep.push(i);
  const F = job.nFeatures;
  const gather = (idx: number[]) => {
    const x = new Float32Array(idx.length * F);
    const y = new Float64Array(idx.length);
    idx.forEach((r, j) => {
      x.set(job.xTrain.subarray(r * F, (r + 1) * F), j * F);
      y[j] = job.yTrain[r]!;
    });
    return { x, y };
  };
  const train = gather(keep);
  const watch = gather(stop);
  return {
    job: { ...job, xTrain: train.x, yTrain: train.y, xVal: watch.x, yVal: watch.y },
    nTrain: keep.length,
    nStop: stop.length,
  };
}

/** A key equal for jobs that can be trained together as one packed computation. */
export function architectureKey(job: TrainJob): string {
  const p = prepareJob(job);
  if (!p.dense)
    return `layers:${job.family}:${job.task}:${job.nFeatures}:${JSON.stringify(p.params)}:${job.seed}`;
  return [
    'dense',
    job.task,
    job.nFeatures,
    p.dense.units.join('-'),
    p.dense.activation,
    p.dense.dropout > 0 ? 'dropout' : 'nodrop',
    p.tp.optimizer,
    p.tp.batchSize,
  ].join(':');
}

/** The error a cancelled training rejects with (name `AbortError`). */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const e = new Error(
    `training aborted${reason !== undefined ? `: ${String(reason instanceof Error ? reason.message : reason)}` : ''}`,
  );
  e.name = 'AbortError';
  return e;
}
