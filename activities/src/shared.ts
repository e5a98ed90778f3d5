import { ApplicationFailure } from '@temporalio/activity';
import { FailureType, type ResolvedDataset } from '@foldwise/spec';
import type { DataPort, LoadedDataset } from './ports';

/** The current time as an ISO-8601 string. */
export const now = (): string => new Date().toISOString();

/** `x` when finite, else null (JSON has no NaN or Infinity). */
export const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A failure that retrying cannot fix, typed so workflows and retry policies can tell it apart. */
export const nonRetryable = (type: string, message: string): ApplicationFailure =>
  ApplicationFailure.nonRetryable(message, type);

/** Loads a dataset through the data port; a dataset the data cannot be read from fails without retries. */
export async function loadData(data: DataPort, ref: ResolvedDataset): Promise<LoadedDataset> {
  try {
    return await data.load(ref);
  } catch (err) {
    const e = err as Error & { name?: string };
    if (e?.name === 'DatasetError') throw nonRetryable(FailureType.InvalidData, e.message);
    throw err;
  }
}

/** The scorers' input from a model's validation predictions (and probabilities, for classification). */
export function scorerInput(
  ds: Pick<LoadedDataset, 'task' | 'classes'>,
  yTrue: Float64Array,
  pred: Float64Array,
  proba: Float32Array | undefined,
) {
  if (ds.task === 'regression') return { yTrue, yPred: pred };
  const k = ds.classes?.length ?? 0;
  const rows: number[][] | undefined = proba
    ? Array.from({ length: yTrue.length }, (_, i) => Array.from(proba.subarray(i * k, (i + 1) * k)))
    : undefined;
  const labels = Array.from({ length: k }, (_, i) => i);
  return { yTrue, yPred: pred, labels, ...(rows ? { proba: rows } : {}) };
}
