import * as tf from '@tensorflow/tfjs';
import { currentBackend, selectBackend } from './backend';
import { type PackedOutcome, splitAugmented, trainDensePacked } from './dense';
import { getFamily } from './families';
import { type PreparedJob, architectureKey, prepareJob } from './job';
import { buildSeeded, trainLayersModel } from './layers-train';
import type { TrainHooks, TrainJob, TrainResult } from './types';

async function backendName(): Promise<string> {
  return (currentBackend() ?? (await selectBackend('auto'))).backend;
}

/** Trains one fold with foldwise's own loop (dense families take the fast stacked path). */
export async function train(job: TrainJob, hooks: TrainHooks = {}): Promise<TrainResult> {
  const prep = prepareJob(job);
  const backend = await backendName();
  if (prep.dense) {
    const [out] = await trainDensePacked([prep], [hooks], backend);
    if (!out) throw new Error('train: no outcome');
    if (!out.ok) throw out.error;
    return out.result;
  }
  const { result, model } = await trainLayersModel(prep, hooks, backend);
  model.dispose();
  return result;
}

/** Like `trainPacked`, but each job settles on its own (one job's abort or failure leaves the others' results). */
export async function trainPackedSettled(
  jobs: TrainJob[],
  hooksPerJob: TrainHooks[] = [],
): Promise<PackedOutcome[]> {
  if (jobs.length === 0) return [];
  const preps: PreparedJob[] = jobs.map((j, i) => {
    try {
      return prepareJob(j);
    } catch (e) {
      throw new Error(`jobs[${i}].${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const backend = await backendName();
  const keys = jobs.map(architectureKey);
  if (preps.every((p) => p.dense) && keys.every((k) => k === keys[0])) {
    return trainDensePacked(
      preps,
      jobs.map((_, i) => hooksPerJob[i] ?? {}),
      backend,
    );
  }
  const groups = new Map<string, number[]>();
  keys.forEach((k, i) => groups.set(k, [...(groups.get(k) ?? []), i]));
  const out: PackedOutcome[] = new Array<PackedOutcome>(jobs.length);
  for (const idx of groups.values()) {
    const outcomes = preps[idx[0]!]!.dense
      ? await trainDensePacked(
          idx.map((i) => preps[i]!),
          idx.map((i) => hooksPerJob[i] ?? {}),
          backend,
        )
      : await Promise.all(
          idx.map(async (i): Promise<PackedOutcome> => {
            try {
              const { result, model } = await trainLayersModel(preps[i]!, hooksPerJob[i] ?? {}, backend);
              model.dispose();
              return { ok: true, result };
            } catch (e) {
              return { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
            }
          }),
        );
    idx.forEach((i, j) => (out[i] = outcomes[j]!));
  }
  return out;
}

/** Trains several jobs of the same dense architecture as one batched computation; rejects if any job fails. */
export async function trainPacked(jobs: TrainJob[], hooksPerJob: TrainHooks[] = []): Promise<TrainResult[]> {
  const outcomes = await trainPackedSettled(jobs, hooksPerJob);
  return outcomes.map((o) => {
    if (!o.ok) throw o.error;
    return o.result;
  });
}

/** A model trained on all of a job's training rows, with the run's result (the caller disposes the model). */
export interface RefitResult {
  model: tf.LayersModel;
  result: TrainResult;
}

/** Trains a job (usually on all training data, `xVal` possibly empty) and returns the trained tf.LayersModel. */
export async function refit(job: TrainJob, hooks: TrainHooks = {}): Promise<RefitResult> {
  const prep = prepareJob(job);
  const backend = await backendName();
  if (!prep.dense) return trainLayersModel(prep, hooks, backend);
  const [out] = await trainDensePacked([prep], [hooks], backend, { captureWeights: true });
  if (!out) throw new Error('refit: no outcome');
  if (!out.ok) throw out.error;
  const model = buildSeeded(prep);
  const dims = [job.nFeatures, ...prep.dense.units];
  const values: tf.Tensor[] = [];
  out.weights!.forEach((w, l) => {
    const { kernel, bias } = splitAugmented(w, dims[l]!, dims[l + 1]!);
    values.push(tf.tensor2d(kernel, [dims[l]!, dims[l + 1]!]), tf.tensor1d(bias));
  });
  model.setWeights(values);
  tf.dispose(values);
  return { model, result: out.result };
}

/** True when `family` trains on the fast stacked dense path (and can be packed). */
export function isPackable(family: string): boolean {
  return typeof getFamily(family).dense === 'function';
}
