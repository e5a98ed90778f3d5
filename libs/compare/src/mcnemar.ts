// McNemar's test on the paired predictions of two classifiers.
import { binomialCdf, chiSquare } from './distributions';
import type { TestResult } from './types';

/** Result of {@link mcnemarTest}: b = only A correct, c = only B correct, `exact` says which test ran. */
export interface McNemarResult extends TestResult {
  b: number;
  c: number;
  exact: boolean;
}

/** A class label as the metrics library represents it. */
export type Label = number | string | boolean;

/**
 * McNemar's test with statsmodels' semantics: exact (the default while b + c < 25) is the two-sided
 * binomial test of min(b, c) out of b + c at 1/2 with statistic min(b, c); otherwise the chi-square test
 * (|b − c| − 1)²/(b + c), without the −1 when correction is false. No discordant pair gives statistic 0
 * and p-value 1 for either test (statsmodels would divide by zero in the chi-square form).
 */
export function mcnemarTest(
  yTrue: readonly Label[],
  predA: readonly Label[],
  predB: readonly Label[],
  opts: { exact?: boolean; correction?: boolean } = {},
): McNemarResult {
  if (!Array.isArray(yTrue) || yTrue.length === 0)
    throw new Error('yTrue: must be a non-empty array of labels');
  if (!Array.isArray(predA) || predA.length !== yTrue.length) {
    throw new Error(
      `predA: must have the same length as yTrue (got ${Array.isArray(predA) ? predA.length : typeof predA} and ${yTrue.length})`,
    );
  }
  if (!Array.isArray(predB) || predB.length !== yTrue.length) {
    throw new Error(
      `predB: must have the same length as yTrue (got ${Array.isArray(predB) ? predB.length : typeof predB} and ${yTrue.length})`,
    );
  }
  let b = 0;
  let c = 0;
  yTrue.forEach((y, i) => {
    const okA = predA[i] === y;
    const okB = predB[i] === y;
    if (okA && !okB) b++;
    else if (!okA && okB) c++;
  });
  const discordant = b + c;
  const exact = opts.exact ?? discordant < 25;
  if (discordant === 0) return { statistic: 0, pValue: 1, b, c, exact };
  if (exact) {
    const k = Math.min(b, c);
    return { statistic: k, pValue: Math.min(1, 2 * binomialCdf(k, discordant, 0.5)), b, c, exact };
  }
  const shift = (opts.correction ?? true) ? 1 : 0;
  const statistic = (Math.abs(b - c) - shift) ** 2 / discordant;
  return { statistic, pValue: chiSquare.sf(statistic, 1), b, c, exact };
}
