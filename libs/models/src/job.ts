import {
  type DenseSpec,
  type FamilyContext,
  type TrainingParams,
  getFamily,
  parseParams,
  trainingParams,
} from './families';
import type { TrainJob } from './types';

/** A job after validation: parsed params, training settings and row counts. */
export interface PreparedJob {
  job: TrainJob;
  params: Record<string, unknown>;
  tp: TrainingParams;
  ctx: FamilyContext;
  dense?: DenseSpec;
  nTrain: number;
  nVal: number;
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
  return {
    job,
    params,
    tp,
    ctx,
    ...(dense ? { dense } : {}),
    nTrain,
    nVal,
    outDim: job.task === 'classification' ? job.nClasses : 1,
    totalEpochs,
    stopAt: Math.min(totalEpochs, job.untilEpoch ?? Infinity),
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
