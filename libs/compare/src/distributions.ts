// Normal, Student t and chi-square distributions built on the special functions. Tails are computed
// directly (never as 1 − cdf) so p-values down to 1e-300 keep their relative precision.
import { betaIncPair, gammaIncPair, logBeta } from './special';

const LOG_SQRT_2PI = 0.9189385332046728;

function normalLowerTail(x: number): number {
  if (x === -Infinity) return 0;
  return 0.5 * gammaIncPair(0.5, (x * x) / 2).q;
}

/** Standard normal density. */
function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x - LOG_SQRT_2PI);
}

/** Standard normal cumulative distribution function Φ(x). */
function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return normalLowerTail(x);
  if (x === Infinity) return 1;
  return 1 - normalLowerTail(-x);
}

/** Standard normal survival function 1 − Φ(x), accurate in the upper tail. */
function normalSf(x: number): number {
  return normalCdf(-x);
}

function normalLowerQuantile(q: number): number {
  const t = Math.sqrt(-2 * Math.log(q));
  let x = -(
    t -
    (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)))
  );
  for (let i = 0; i < 50; i++) {
    const u = (normalLowerTail(x) - q) / normalPdf(x);
    const step = u / (1 + (x * u) / 2);
    x -= step;
    if (Math.abs(step) <= 1e-16 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

function normalCentralQuantile(y: number): number {
  let x = y * Math.sqrt(2 * Math.PI);
  for (let i = 0; i < 50; i++) {
    const centred = 0.5 * Math.sign(x) * gammaIncPair(0.5, (x * x) / 2).p;
    const u = (centred - y) / normalPdf(x);
    const step = u / (1 + (x * u) / 2);
    x -= step;
    if (Math.abs(step) <= 1e-16 * Math.abs(x)) break;
  }
  return x;
}

/** Standard normal quantile function Φ⁻¹(p). */
function normalPpf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (Math.abs(p - 0.5) < 0.2) return normalCentralQuantile(p - 0.5);
  return p < 0.5 ? normalLowerQuantile(p) : -normalLowerQuantile(1 - p);
}

/** The standard normal distribution. */
export const normal = { pdf: normalPdf, cdf: normalCdf, sf: normalSf, ppf: normalPpf } as const;

function checkDf(df: number): void {
  if (!(df > 0)) throw new Error(`df: must be > 0 (got ${df})`);
}

function tLowerTail(t: number, df: number): number {
  if (t === -Infinity) return 0;
  if (df === Infinity) return normalLowerTail(t);
  const t2 = t * t;
  if (t2 === Infinity) return 0;
  const denom = df + t2;
  return 0.5 * betaIncPair(df / 2, 0.5, df / denom, t2 / denom).p;
}

function tLogPdf(t: number, df: number): number {
  if (df === Infinity) return -0.5 * t * t - LOG_SQRT_2PI;
  const r = (t * t) / df;
  const log1p = r === Infinity ? 2 * Math.log(Math.abs(t)) - Math.log(df) : Math.log1p(r);
  return -logBeta(df / 2, 0.5) - 0.5 * Math.log(df) - ((df + 1) / 2) * log1p;
}

/** Student t density with df degrees of freedom. */
function tPdf(t: number, df: number): number {
  checkDf(df);
  return Math.exp(tLogPdf(t, df));
}

/** Student t cumulative distribution function with df degrees of freedom (df may be Infinity). */
function tCdf(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) return NaN;
  if (t < 0) return tLowerTail(t, df);
  if (t === Infinity) return 1;
  return 1 - tLowerTail(-t, df);
}

/** Student t survival function with df degrees of freedom, accurate in the upper tail. */
function tSf(t: number, df: number): number {
  return tCdf(-t, df);
}

function tLowerQuantile(q: number, df: number): number {
  if (df === 1) return -1 / Math.tan(Math.PI * q);
  if (df === 2) return (2 * q - 1) / Math.sqrt(2 * q * (1 - q));
  const logQ = Math.log(q);
  const g = (v: number): number => Math.log(tLowerTail(-Math.exp(v), df)) - logQ;
  let lo = Math.log(-normalLowerQuantile(q));
  let step = 1;
  let hi = lo + step;
  while (g(hi) > 0) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  let v = lo;
  for (let i = 0; i < 200; i++) {
    const x = -Math.exp(v);
    const gv = Math.log(tLowerTail(x, df)) - logQ;
    if (gv === 0) break;
    if (gv > 0) lo = v;
    else hi = v;
    const slope = -Math.exp(tLogPdf(x, df) + v) / tLowerTail(x, df);
    let next = v - gv / slope;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    const moved = Math.abs(next - v);
    v = next;
    if (moved <= 1e-16 * Math.max(1, Math.abs(v)) || hi - lo <= 1e-16 * Math.max(1, Math.abs(v))) break;
  }
  return -Math.exp(v);
}

function tCentralQuantile(y: number, df: number): number {
  let x = normalCentralQuantile(y);
  for (let i = 0; i < 50; i++) {
    const t2 = x * x;
    const centred = 0.5 * Math.sign(x) * betaIncPair(0.5, df / 2, t2 / (df + t2), df / (df + t2)).p;
    const step = (centred - y) / Math.exp(tLogPdf(x, df));
    x -= step;
    if (Math.abs(step) <= 1e-16 * Math.abs(x)) break;
  }
  return x;
}

/** Student t quantile function with df degrees of freedom. */
function tPpf(p: number, df: number): number {
  checkDf(df);
  if (df === Infinity) return normalPpf(p);
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (df === 1 && Math.abs(p - 0.5) < 0.25) return Math.tan(Math.PI * (p - 0.5));
  if (df > 2 && Math.abs(p - 0.5) < 0.2) return tCentralQuantile(p - 0.5, df);
  return p < 0.5 ? tLowerQuantile(p, df) : -tLowerQuantile(1 - p, df);
}

/** The Student t distribution, parameterised by its degrees of freedom. */
export const studentT = { pdf: tPdf, cdf: tCdf, sf: tSf, ppf: tPpf } as const;

/** Chi-square cumulative distribution function with k degrees of freedom. */
function chiSquareCdf(x: number, k: number): number {
  checkDf(k);
  return gammaIncPair(k / 2, x / 2).p;
}

/** Chi-square survival function with k degrees of freedom, accurate in the upper tail. */
function chiSquareSf(x: number, k: number): number {
  checkDf(k);
  return gammaIncPair(k / 2, x / 2).q;
}

/** The chi-square distribution, parameterised by its degrees of freedom. */
export const chiSquare = { cdf: chiSquareCdf, sf: chiSquareSf } as const;

/** Binomial cumulative distribution P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const kk = Math.floor(k);
  return betaIncPair(n - kk, kk + 1, 1 - p, p).p;
}
