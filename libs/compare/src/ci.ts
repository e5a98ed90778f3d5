// Confidence intervals for the mean of per-fold scores.
import { studentT } from './distributions';
import { indexFrom, mulberry32 } from './prng';
import { checkLevel, checkScores, checkTestTrainRatio, mean, sampleVariance } from './validate';

/**
 * The range a metric can take: `[low, high]`, either end infinite for half-bounded metrics (a loss ≥ 0, R² ≤ 1).
 * Both infinite means unbounded.
 */
export interface MetricRange {
  low: number;
  high: number;
}

/**
 * How an interval was computed: `t` on the metric's own scale (`corrected-t` with the Nadeau–Bengio correction);
 * `logit-…` on the logit scale of a metric bounded on both sides (mapped back, so it stays inside the range);
 * `log-…` on the log scale of the distance to the one bound of a half-bounded metric.
 */
export const IntervalMethod = {
  T: 't',
  CorrectedT: 'corrected-t',
  LogitT: 'logit-t',
  LogitCorrectedT: 'logit-corrected-t',
  LogT: 'log-t',
  LogCorrectedT: 'log-corrected-t',
} as const;
/** One of the values of {@link IntervalMethod}. */
export type IntervalMethod = (typeof IntervalMethod)[keyof typeof IntervalMethod];

/** A sentence fragment naming how an interval was computed, for reports; `undefined` is a result recorded before methods were named. */
export function describeIntervalMethod(method: string | undefined): string {
  switch (method) {
    case IntervalMethod.T:
      return 't interval of the fold mean';
    case IntervalMethod.CorrectedT:
      return 'Nadeau–Bengio corrected t interval of the fold mean';
    case IntervalMethod.LogitT:
      return "t interval formed on the logit scale of the metric's range and mapped back, so it stays inside the range";
    case IntervalMethod.LogitCorrectedT:
      return "Nadeau–Bengio corrected t interval formed on the logit scale of the metric's range and mapped back, so it stays inside the range";
    case IntervalMethod.LogT:
      return "t interval formed on the log scale of the distance to the metric's bound, so it never crosses the bound";
    case IntervalMethod.LogCorrectedT:
      return "Nadeau–Bengio corrected t interval formed on the log scale of the distance to the metric's bound, so it never crosses the bound";
    default:
      return 'corrected t interval of the fold mean (recorded before intervals were kept inside the metric range)';
  }
}

/** Result of {@link meanCi}. */
export interface MeanCi {
  mean: number;
  std: number;
  low: number;
  high: number;
  /** Half the width of the interval on the metric's scale (for a transformed interval: the larger side). */
  halfWidth: number;
  level: number;
  df: number;
  method: IntervalMethod;
}

function checkRange(range: MetricRange): void {
  const { low, high } = range;
  if (typeof low !== 'number' || typeof high !== 'number' || Number.isNaN(low) || Number.isNaN(high)) {
    throw new Error(`range: low and high must be numbers (got ${String(low)}, ${String(high)})`);
  }
  if (!(low < high)) throw new Error(`range: low must be < high (got ${low}, ${high})`);
}

const logistic = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * t-based confidence interval for the mean of `scores`: mean ± t_{(1+level)/2, n−1} · s · sqrt(1/n), or
 * · sqrt(1/n + testTrainRatio) with the Nadeau–Bengio correction for overlapping training sets.
 *
 * With `range`, the interval stays inside the metric's range: for a metric bounded on both sides the same
 * standard error is carried to the logit scale of (mean − low) / (high − low) by the delta method, the interval is
 * formed there and mapped back; for a half-bounded metric the log scale of the distance to its bound is used. The
 * transformed interval is asymptotically the t interval, never leaves the range, and is asymmetric near a bound. A
 * mean on the bound has no spread (every score is the bound) and gives the point interval; scores outside the range
 * (which a metric cannot produce) fall back to the t interval clipped to the range.
 */
export function meanCi(
  scores: number[],
  opts: { level?: number; testTrainRatio?: number; range?: MetricRange } = {},
): MeanCi {
  checkScores(scores, 'scores');
  const level = opts.level ?? 0.95;
  checkLevel(level);
  if (opts.testTrainRatio !== undefined) checkTestTrainRatio(opts.testTrainRatio);
  if (opts.range !== undefined) checkRange(opts.range);
  const n = scores.length;
  const m = mean(scores);
  const std = Math.sqrt(sampleVariance(scores, m));
  const corrected = opts.testTrainRatio !== undefined;
  const factor = Math.sqrt(1 / n + (opts.testTrainRatio ?? 0));
  const halfWidth = studentT.ppf((1 + level) / 2, n - 1) * std * factor;
  const plain = {
    mean: m,
    std,
    low: m - halfWidth,
    high: m + halfWidth,
    halfWidth,
    level,
    df: n - 1,
    method: corrected ? IntervalMethod.CorrectedT : IntervalMethod.T,
  };
  const range = opts.range;
  if (range === undefined) return plain;
  const lowFinite = Number.isFinite(range.low);
  const highFinite = Number.isFinite(range.high);
  if (!lowFinite && !highFinite) return plain;
  const clip = (x: number): number => Math.min(range.high, Math.max(range.low, x));
  const at = (low: number, high: number) => ({ low, high, halfWidth: Math.max(m - low, high - m) });
  let bounds: { low: number; high: number; halfWidth: number };
  let method: IntervalMethod;
  if (lowFinite && highFinite) {
    method = corrected ? IntervalMethod.LogitCorrectedT : IntervalMethod.LogitT;
    const width = range.high - range.low;
    const p = (m - range.low) / width;
    if (halfWidth === 0 || p <= 0 || p >= 1) {
      bounds = at(clip(plain.low), clip(plain.high));
    } else {
      const centre = Math.log(p / (1 - p));
      const h = halfWidth / (width * p * (1 - p));
      bounds = at(range.low + width * logistic(centre - h), range.low + width * logistic(centre + h));
    }
  } else {
    method = corrected ? IntervalMethod.LogCorrectedT : IntervalMethod.LogT;
    const bound = lowFinite ? range.low : range.high;
    const dist = lowFinite ? m - bound : bound - m;
    if (halfWidth === 0 || dist <= 0) {
      bounds = at(clip(plain.low), clip(plain.high));
    } else {
      const h = halfWidth / dist;
      const near = dist * Math.exp(-h);
      const far = dist * Math.exp(h);
      bounds = lowFinite ? at(bound + near, bound + far) : at(bound - far, bound - near);
    }
  }
  return { ...plain, ...bounds, method };
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
