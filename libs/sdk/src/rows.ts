import type { FoldDoc, TrialDoc } from '@foldwise/spec';

/**
 * One trial as a flat row for a dataframe, named as scikit-learn's `cv_results_`: `param_<name>` for each
 * hyperparameter (JSON values as they were drawn), and `mean_<metric>`, `std_<metric>`, `ci95_low_<metric>`,
 * `ci95_high_<metric>` for each metric over the trial's completed folds.
 */
export interface TrialRow {
  searchId: string;
  trialId: string;
  trialIndex: number;
  model: string;
  status: TrialDoc['status'];
  foldsCompleted: number;
  epochsTrained: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  [column: string]: unknown;
}

/** One fold as a flat row for a dataframe: its identity, `param_<name>` for each hyperparameter, and each metric by name. */
export interface FoldRow {
  searchId: string;
  trialId: string;
  trialIndex: number;
  model: string;
  fold: number;
  status: FoldDoc['status'];
  epochsTrained: number;
  nTrain: number;
  nVal: number;
  durationMs: number;
  backend: string;
  worker: string;
  attempt: number;
  splitHash: string;
  error: string | null;
  [column: string]: unknown;
}

const params = (p: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.keys(p).map((k) => [`param_${k}`, p[k]]));

/** The dataframe row of a trial document. */
export function trialRow(t: TrialDoc): TrialRow {
  const row: TrialRow = {
    searchId: t.searchId,
    trialId: t._id,
    trialIndex: t.trialIndex,
    model: t.model,
    status: t.status,
    foldsCompleted: t.foldsCompleted,
    epochsTrained: t.epochsTrained,
    error: t.error ?? null,
    createdAt: t.createdAt,
    finishedAt: t.finishedAt ?? null,
    ...params(t.params),
  };
  for (const [metric, s] of Object.entries(t.metrics)) {
    row[`mean_${metric}`] = s.mean;
    row[`std_${metric}`] = s.std;
    row[`ci95_low_${metric}`] = s.ci95?.[0] ?? null;
    row[`ci95_high_${metric}`] = s.ci95?.[1] ?? null;
  }
  return row;
}

/** The dataframe row of a fold document (its learning curve and confusion matrix stay in the document). */
export function foldRow(f: FoldDoc): FoldRow {
  return {
    searchId: f.searchId,
    trialId: f.trialId,
    trialIndex: f.trialIndex,
    model: f.model,
    fold: f.fold,
    status: f.status,
    epochsTrained: f.epochsTrained,
    nTrain: f.nTrain,
    nVal: f.nVal,
    durationMs: f.durationMs,
    backend: f.backend,
    worker: f.worker,
    attempt: f.attempt,
    splitHash: f.splitHash,
    error: f.error ?? null,
    ...params(f.params),
    ...f.metrics,
  };
}
