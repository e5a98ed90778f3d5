import { Task, type Dataset } from './types';

/** The cross-validation a dataset must support. */
export interface CvRequirement {
  k: number;
  stratified: boolean;
}

/** Problems that make `k`-fold cross-validation of this dataset impossible or degenerate; empty when it is fine. */
export function validateForCv(ds: Dataset, cv: CvRequirement): string[] {
  const errors: string[] = [];
  const { k, stratified } = cv;
  if (!Number.isInteger(k) || k < 2) {
    errors.push(`k: must be an integer ≥ 2 (got ${k})`);
    return errors;
  }
  if (ds.nSamples < k) errors.push(`fewer samples (${ds.nSamples}) than folds (${k})`);
  if (stratified && ds.task !== Task.Classification) {
    errors.push(`stratified folds need a classification task; '${ds.name}' is ${ds.task}`);
  }
  if (ds.task === Task.Classification) {
    const nClasses = ds.classes?.length ?? 0;
    const counts = new Array<number>(nClasses).fill(0);
    for (let i = 0; i < ds.nSamples; i++) {
      const c = ds.y[i] as number;
      if (Number.isInteger(c) && c >= 0 && c < nClasses) counts[c] = (counts[c] as number) + 1;
      else {
        errors.push(`y[${i}]: ${c} is not a class id in 0..${nClasses - 1}`);
        return errors;
      }
    }
    counts.forEach((m, c) => {
      const label = String(ds.classes?.[c]);
      if (m === 0) errors.push(`class '${label}' has no members`);
      else if (stratified && m < k) errors.push(`class '${label}' has ${m} members, fewer than k=${k} folds`);
    });
  }
  for (let i = 0; i < ds.X.length; i++) {
    if (!Number.isFinite(ds.X[i] as number)) {
      errors.push(
        `X: row ${Math.floor(i / ds.nFeatures)}, feature '${ds.featureNames[i % ds.nFeatures]}' is ${ds.X[i]} (must be finite)`,
      );
      break;
    }
  }
  return errors;
}
