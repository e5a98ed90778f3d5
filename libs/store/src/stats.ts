/** Mean, sample standard deviation (ddof = 1) and a Student-t confidence interval of fold scores. */
export interface MeanCi {
  mean: number;
  std: number;
  low: number;
  high: number;
  halfWidth: number;
}

const logGamma = (x: number): number => {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] ?? 0;
  const t = z + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += (c[i] ?? 0) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
};

const betaContinuedFraction = (a: number, b: number, x: number): number => {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    for (const num of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + num * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
};

/** Regularised incomplete beta function I_x(a, b). */
export const regularizedBeta = (a: number, b: number, x: number): number => {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
};

/** Student-t cumulative distribution function with df degrees of freedom. */
export const studentTCdf = (t: number, df: number): number => {
  const tail = 0.5 * regularizedBeta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
};

/** Student-t quantile (inverse CDF) for p in (0, 1), by bracketing and bisection. */
export const studentTQuantile = (p: number, df: number): number => {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1) (got ${p})`);
  if (!(df > 0)) throw new RangeError(`df must be > 0 (got ${df})`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-14 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
};

/**
 * Mean with a two-sided t interval over n ≥ 2 fold scores; `testTrainRatio` applies the
 * Nadeau–Bengio correction (variance × (1/n + n_test/n_train)) instead of 1/n.
 */
export const meanCi = (scores: readonly number[], opts: { level?: number; testTrainRatio?: number } = {}): MeanCi => {
  const n = scores.length;
  if (n < 2) throw new RangeError(`scores must hold at least 2 values (got ${n})`);
  if (scores.some((s) => !Number.isFinite(s))) throw new RangeError('scores must be finite numbers');
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1) (got ${level})`);
  const ratio = opts.testTrainRatio;
  if (ratio !== undefined && !(ratio > 0)) throw new RangeError(`testTrainRatio must be > 0 (got ${ratio})`);
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  const variance = scores.reduce((a, s) => a + (s - mean) ** 2, 0) / (n - 1);
  const scale = ratio === undefined ? 1 / n : 1 / n + ratio;
  const halfWidth = studentTQuantile(1 - (1 - level) / 2, n - 1) * Math.sqrt(variance * scale);
  return { mean, std: Math.sqrt(variance), low: mean - halfWidth, high: mean + halfWidth, halfWidth };
};
