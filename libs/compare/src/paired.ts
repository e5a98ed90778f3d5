// Paired tests on per-fold scores: Student's paired t-test, the Nadeau–Bengio corrected resampled
// t-test and the Wilcoxon signed-rank test, each with SciPy 1.10 semantics.
import { normal, studentT } from './distributions';
import { rankData, tieGroupSizes } from './ranks';
import { Alternative, type TestResult } from './types';
import {
  checkAlternative,
  checkTestTrainRatio,
  mean,
  pairedDifferences,
  sampleVariance,
  tPValue,
} from './validate';

/** Result of {@link pairedTTest}. */
export interface PairedTTestResult extends TestResult {
  df: number;
  meanDiff: number;
  stdDiff: number;
}

/**
 * Student's paired t-test on a − b (scipy.stats.ttest_rel). When every difference is zero the statistic
 * and p-value are NaN (0/0), as SciPy returns; a constant non-zero difference gives ±Infinity and p = 0.
 */
export function pairedTTest(
  a: number[],
  b: number[],
  opts: { alternative?: Alternative } = {},
): PairedTTestResult {
  const d = pairedDifferences(a, b);
  const alternative = checkAlternative(opts.alternative ?? Alternative.TwoSided);
  const n = d.length;
  const meanDiff = mean(d);
  const variance = sampleVariance(d, meanDiff);
  const statistic = meanDiff / Math.sqrt(variance / n);
  return {
    statistic,
    pValue: tPValue(statistic, n - 1, alternative, studentT.sf),
    df: n - 1,
    meanDiff,
    stdDiff: Math.sqrt(variance),
  };
}

/**
 * Corrected resampled t-test (Nadeau & Bengio 2003): the variance of the mean difference is
 * (1/k + testTrainRatio)·s² instead of s²/k, which accounts for overlapping training sets. For k-fold
 * cross-validation testTrainRatio = 1/(k − 1). Degenerate differences behave as in {@link pairedTTest}.
 */
export function correctedResampledTTest(
  a: number[],
  b: number[],
  opts: { testTrainRatio: number; alternative?: Alternative },
): { statistic: number; pValue: number; df: number; meanDiff: number } {
  const d = pairedDifferences(a, b);
  checkTestTrainRatio(opts.testTrainRatio);
  const alternative = checkAlternative(opts.alternative ?? Alternative.TwoSided);
  const k = d.length;
  const meanDiff = mean(d);
  const variance = sampleVariance(d, meanDiff);
  const statistic = meanDiff / Math.sqrt((1 / k + opts.testTrainRatio) * variance);
  return { statistic, pValue: tPValue(statistic, k - 1, alternative, studentT.sf), df: k - 1, meanDiff };
}

/** How the Wilcoxon test treats zero differences (scipy's zero_method). */
export const ZeroMethod = { Wilcox: 'wilcox', Pratt: 'pratt', Zsplit: 'zsplit' } as const;
/** One of the values of {@link ZeroMethod}. */
export type ZeroMethod = (typeof ZeroMethod)[keyof typeof ZeroMethod];

/** How the Wilcoxon p-value is computed (scipy's method). */
export const WilcoxonMode = { Auto: 'auto', Exact: 'exact', Approx: 'approx' } as const;
/** One of the values of {@link WilcoxonMode}. */
export type WilcoxonMode = (typeof WilcoxonMode)[keyof typeof WilcoxonMode];

/** Options of {@link wilcoxonSignedRank}; defaults are SciPy's. */
export interface WilcoxonOptions {
  alternative?: Alternative;
  zeroMethod?: ZeroMethod;
  correction?: boolean;
  mode?: WilcoxonMode;
  /**
   * n_test / n_train of the folds: corrects for the correlation between cross-validation folds as the Nadeau–Bengio
   * t-test does, by inflating the variance of the normal approximation by (1 + n · testTrainRatio) (forces 'approx').
   * Not SciPy's; `bench:stats` measures its error rate.
   */
  testTrainRatio?: number;
}

/** Result of {@link wilcoxonSignedRank}: `method` says which computation ran, `zStatistic` is set for 'approx'. */
export interface WilcoxonResult extends TestResult {
  method: 'exact' | 'approx';
  rPlus: number;
  rMinus: number;
  count: number;
  zStatistic?: number;
}

const exactCache = new Map<number, number[]>();

/** Null distribution of r+ for n untied, non-zero differences: pmf[s] = #subsets of 1..n summing to s / 2^n. */
export function wilcoxonExactPmf(n: number): number[] {
  const cached = exactCache.get(n);
  if (cached) return cached;
  let pmf = [1];
  for (let k = 1; k <= n; k++) {
    const next = new Array<number>(pmf.length + k).fill(0);
    for (let s = 0; s < pmf.length; s++) {
      const p = (pmf[s] ?? 0) * 0.5;
      next[s] = (next[s] ?? 0) + p;
      next[s + k] = (next[s + k] ?? 0) + p;
    }
    pmf = next;
  }
  exactCache.set(n, pmf);
  return pmf;
}

function sumRange(values: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = Math.max(0, from); i < Math.min(values.length, to); i++) s += values[i] ?? 0;
  return s;
}

/**
 * Wilcoxon signed-rank test on a − b with scipy.stats.wilcoxon 1.10's arithmetic. 'auto' uses the exact
 * null distribution for n ≤ 50 without ties or zeros and the normal approximation (with tie correction)
 * otherwise; SciPy 1.10's own 'auto' stays exact under ties, which makes the two-sided p-value depend on
 * the order of a and b. Any zero difference forces the approximation. An explicit 'exact' with tied
 * ranks truncates r+ to an integer, as SciPy 1.10 does.
 * The statistic is min(r+, r−) for two-sided tests and r+ otherwise. Where SciPy raises because every
 * difference is zero ('wilcox' and 'pratt'), this returns statistic 0 and p-value 1.
 */
export function wilcoxonSignedRank(a: number[], b: number[], opts: WilcoxonOptions = {}): WilcoxonResult {
  let d = pairedDifferences(a, b);
  const alternative = checkAlternative(opts.alternative ?? Alternative.TwoSided);
  const zeroMethod = opts.zeroMethod ?? ZeroMethod.Wilcox;
  if (!Object.values(ZeroMethod).includes(zeroMethod)) {
    throw new Error(
      `zeroMethod: must be one of ${Object.values(ZeroMethod).join(', ')} (got ${String(zeroMethod)})`,
    );
  }
  const requested = opts.mode ?? WilcoxonMode.Auto;
  if (!Object.values(WilcoxonMode).includes(requested)) {
    throw new Error(
      `mode: must be one of ${Object.values(WilcoxonMode).join(', ')} (got ${String(requested)})`,
    );
  }
  const correction = opts.correction ?? false;
  if (opts.testTrainRatio !== undefined) checkTestTrainRatio(opts.testTrainRatio);
  const nZero = d.filter((x) => x === 0).length;
  const hasTies = tieGroupSizes(d.filter((x) => x !== 0).map(Math.abs)).length > 0;
  let mode: 'exact' | 'approx' =
    requested === WilcoxonMode.Auto ? (d.length <= 50 && !hasTies ? 'exact' : 'approx') : requested;
  if ((nZero > 0 || opts.testTrainRatio !== undefined) && mode === 'exact') mode = 'approx';
  if (mode === 'approx' && zeroMethod !== ZeroMethod.Zsplit && nZero === d.length) {
    return { statistic: 0, pValue: 1, method: mode, rPlus: 0, rMinus: 0, count: 0, zStatistic: 0 };
  }
  if (mode === 'approx' && zeroMethod === ZeroMethod.Wilcox) d = d.filter((x) => x !== 0);

  const count = d.length;
  const r = rankData(d.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  let rZero = 0;
  d.forEach((x, i) => {
    if (x > 0) rPlus += r[i] ?? 0;
    else if (x < 0) rMinus += r[i] ?? 0;
    else rZero += r[i] ?? 0;
  });
  if (zeroMethod === ZeroMethod.Zsplit) {
    rPlus += rZero / 2;
    rMinus += rZero / 2;
  }
  const statistic = alternative === Alternative.TwoSided ? Math.min(rPlus, rMinus) : rPlus;

  if (mode === 'approx') {
    let mn = count * (count + 1) * 0.25;
    let se = count * (count + 1) * (2 * count + 1);
    let tieRanks = r;
    if (zeroMethod === ZeroMethod.Pratt) {
      tieRanks = r.filter((_, i) => d[i] !== 0);
      mn -= nZero * (nZero + 1) * 0.25;
      se -= nZero * (nZero + 1) * (2 * nZero + 1);
    }
    for (const t of tieGroupSizes(tieRanks)) se -= 0.5 * t * (t * t - 1);
    se = Math.sqrt((se / 24) * (1 + count * (opts.testTrainRatio ?? 0)));
    let shift = 0;
    if (correction) {
      if (alternative === Alternative.TwoSided) shift = 0.5 * Math.sign(statistic - mn);
      else shift = alternative === Alternative.Less ? -0.5 : 0.5;
    }
    const z = (statistic - mn - shift) / se;
    const pValue =
      alternative === Alternative.TwoSided
        ? 2 * normal.sf(Math.abs(z))
        : alternative === Alternative.Greater
          ? normal.sf(z)
          : normal.cdf(z);
    return { statistic, pValue, method: mode, rPlus, rMinus, count, zStatistic: z };
  }

  const pmf = wilcoxonExactPmf(count);
  const rp = Math.trunc(rPlus);
  let pValue: number;
  if (alternative === Alternative.TwoSided) {
    if (rp === Math.floor((pmf.length - 1) / 2)) pValue = 1;
    else pValue = 2 * Math.min(sumRange(pmf, 0, rp + 1), sumRange(pmf, rp, pmf.length));
  } else if (alternative === Alternative.Greater) {
    pValue = sumRange(pmf, rp, pmf.length);
  } else {
    pValue = sumRange(pmf, 0, rp + 1);
  }
  return { statistic, pValue: Math.min(1, Math.max(0, pValue)), method: mode, rPlus, rMinus, count };
}
