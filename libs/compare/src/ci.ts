// Confidence intervals for the mean of per-fold scores.
import { studentT } from './distributions';
import { indexFrom, mulberry32 } from './prng';
import { checkLevel, checkScores, checkTestTrainRatio, mean, sampleVariance } from './validate';

/** Result of {@link meanCi}. */
export interface MeanCi {
  mean: number;
  std: number;
  low: number;
  high: number;
  halfWidth: number;
  level: number;
  df: number;
}

/**
 * t-based confidence interval for the mean of `scores`: mean ± t_{(1+level)/2, n−1} · s · sqrt(1/n), or
 * · sqrt(1/n + testTrainRatio) with the Nadeau–Bengio correction for overlapping training sets.
 */
export function meanCi(scores: number[], opts: { level?: number; testTrainRatio?: number } = {}): MeanCi {
  checkScores(scores, 'scores');
  const level = opts.level ?? 0.95;
  checkLevel(level);
  if (opts.testTrainRatio !== undefined) checkTestTrainRatio(opts.testTrainRatio);
  const n = scores.length;
  const m = mean(scores);
  const std = Math.sqrt(sampleVariance(scores, m));
  const factor = Math.sqrt(1 / n + (opts.testTrainRatio ?? 0));
  const halfWidth = studentT.ppf((1 + level) / 2, n - 1) * std * factor;
  return { mean: m, std, low: m - halfWidth, high: m + halfWidth, halfWidth, level, df: n - 1 };
}

/** Bootstrap interval methods; only the percentile method for now. */
export const BootstrapMethod = { Percentile: 'percentile' } as const;
/** One of the values of {@link BootstrapMethod}. */
export type BootstrapMethod = (typeof BootstrapMethod)[keyof typeof BootstrapMethod];

/** Result of {@link bootstrapCi}. */
export interface BootstrapCi {
  mean: number;
  low: number;
  high: number;
  level: number;
  resamples: number;
}

/** Quantile of sorted values with linear interpolation between order statistics (NumPy's default). */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] ?? NaN;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] ?? NaN;
  const t = h - lo;
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/**
 * Percentile bootstrap interval for the mean. Resampling draws indices with {@link mulberry32} seeded by
 * `seed` (n draws per resample, index = floor(u · n)), so a seed reproduces the interval exactly.
 */
export function bootstrapCi(
  scores: number[],
  opts: { level?: number; resamples?: number; seed: number; method?: BootstrapMethod },
): BootstrapCi {
  checkScores(scores, 'scores');
  const level = opts.level ?? 0.95;
  checkLevel(level);
  const resamples = opts.resamples ?? 2000;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`resamples: must be a positive integer (got ${String(resamples)})`);
  }
  if (!Number.isInteger(opts.seed)) throw new Error(`seed: must be an integer (got ${String(opts.seed)})`);
  const method = opts.method ?? BootstrapMethod.Percentile;
  if (method !== BootstrapMethod.Percentile)
    throw new Error(`method: must be 'percentile' (got ${String(method)})`);
  const n = scores.length;
  const next = mulberry32(opts.seed);
  const means = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += scores[indexFrom(next(), n)] ?? NaN;
    means[r] = sum / n;
  }
  means.sort((x, y) => x - y);
  return {
    mean: mean(scores),
    low: quantileSorted(means, (1 - level) / 2),
    high: quantileSorted(means, (1 + level) / 2),
    level,
    resamples,
  };
}
