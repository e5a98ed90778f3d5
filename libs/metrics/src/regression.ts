import { checkNonEmpty, checkSameLength, checkWeights } from './labels';

/** Options shared by the regression metrics. */
export interface RegressionOptions {
  sampleWeight?: ArrayLike<number>;
}

function checkTargets(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  sampleWeight: ArrayLike<number> | undefined,
): void {
  checkNonEmpty('yTrue', yTrue);
  checkSameLength('yTrue', yTrue, 'yPred', yPred);
  checkWeights(yTrue, sampleWeight);
  for (let i = 0; i < yTrue.length; i++) {
    const a = yTrue[i];
    const b = yPred[i];
    if (typeof a !== 'number' || !Number.isFinite(a))
      throw new Error(`yTrue[${i}]: must be a finite number (got ${String(a)})`);
    if (typeof b !== 'number' || !Number.isFinite(b))
      throw new Error(`yPred[${i}]: must be a finite number (got ${String(b)})`);
  }
}

function weightedMeanError(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  sampleWeight: ArrayLike<number> | undefined,
  squared: boolean,
): number {
  checkTargets(yTrue, yPred, sampleWeight);
  let s = 0;
  let w = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const d = (yTrue[i] as number) - (yPred[i] as number);
    const wi = sampleWeight === undefined ? 1 : (sampleWeight[i] as number);
    s += wi * (squared ? d * d : Math.abs(d));
    w += wi;
  }
  if (w === 0) throw new Error('sampleWeight: weights sum to zero');
  return s / w;
}

/** Mean squared error. */
export function meanSquaredError(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionOptions = {},
): number {
  return weightedMeanError(yTrue, yPred, options.sampleWeight, true);
}

/** Root of the mean squared error (scikit-learn 1.2's `mean_squared_error(squared=False)`). */
export function rootMeanSquaredError(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionOptions = {},
): number {
  return Math.sqrt(weightedMeanError(yTrue, yPred, options.sampleWeight, true));
}

/** Mean absolute error. */
export function meanAbsoluteError(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionOptions = {},
): number {
  return weightedMeanError(yTrue, yPred, options.sampleWeight, false);
}

/** Coefficient of determination R²; NaN below two samples, and 1 or 0 for constant targets as scikit-learn's `force_finite`. */
export function r2Score(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  options: RegressionOptions = {},
): number {
  const { sampleWeight } = options;
  checkTargets(yTrue, yPred, sampleWeight);
  if (yTrue.length < 2) return NaN;
  let sy = 0;
  let sw = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const wi = sampleWeight === undefined ? 1 : (sampleWeight[i] as number);
    sy += wi * (yTrue[i] as number);
    sw += wi;
  }
  if (sw === 0) throw new Error('sampleWeight: weights sum to zero');
  const mean = sy / sw;
  let num = 0;
  let den = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const wi = sampleWeight === undefined ? 1 : (sampleWeight[i] as number);
    const t = yTrue[i] as number;
    const e = t - (yPred[i] as number);
    const c = t - mean;
    num += wi * e * e;
    den += wi * c * c;
  }
  if (den === 0) return num === 0 ? 1 : 0;
  return 1 - num / den;
}
