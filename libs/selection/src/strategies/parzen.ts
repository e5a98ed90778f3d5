/**
 * Parzen estimators for TPE (Bergstra et al. 2011), following Optuna 3's construction: one kernel per
 * observation plus a prior kernel; numerical dimensions are truncated normals on the transformed
 * (log where the domain is logarithmic) scale, discrete ones integrate the kernel over the value's cell,
 * categorical ones are smoothed one-hot distributions.
 */
import type { Domain } from '@foldwise/spec';
import type { Rng } from '../prng';
import { jsonEquals, stepCount, tidy } from '../space';
import type { JsonValue } from '@foldwise/spec';

const EPS = 1e-12;

/** A numerical dimension on its transformed scale [lo, hi]; `cell` > 0 for discrete domains. */
export interface NumericScale {
  kind: 'numeric';
  lo: number;
  hi: number;
  /** Half-width of a value's cell, as a function of the transformed value (0 for continuous domains). */
  cell: (t: number) => [number, number] | undefined;
  toT: (v: JsonValue) => number;
  fromT: (t: number) => JsonValue;
}

/** A categorical dimension with `n` choices. */
export interface CategoricalScale {
  kind: 'categorical';
  n: number;
  toT: (v: JsonValue) => number;
  fromT: (t: number) => JsonValue;
}

/** How a domain is modelled by TPE. */
export type Scale = NumericScale | CategoricalScale;

/** The TPE scale of a domain (undefined for constants). */
export function scaleOf(d: Domain): Scale | undefined {
  switch (d.type) {
    case 'const':
      return undefined;
    case 'choice':
      return {
        kind: 'categorical',
        n: d.values.length,
        toT: (v) => d.values.findIndex((c) => jsonEquals(c, v)),
        fromT: (t) => d.values[t] as JsonValue,
      };
    case 'uniform':
      return {
        kind: 'numeric',
        lo: d.low,
        hi: d.high,
        cell: () => undefined,
        toT: (v) => v as number,
        fromT: (t) => t,
      };
    case 'logUniform':
      return {
        kind: 'numeric',
        lo: Math.log(d.low),
        hi: Math.log(d.high),
        cell: () => undefined,
        toT: (v) => Math.log(v as number),
        fromT: (t) => Math.min(d.high, Math.max(d.low, Math.exp(t))),
      };
    case 'intUniform':
      return {
        kind: 'numeric',
        lo: d.low - 0.5,
        hi: d.high + 0.5,
        cell: (t) => [t - 0.5, t + 0.5],
        toT: (v) => v as number,
        fromT: (t) => Math.min(d.high, Math.max(d.low, Math.round(t))),
      };
    case 'intLogUniform':
      return {
        kind: 'numeric',
        lo: Math.log(d.low - 0.5),
        hi: Math.log(d.high + 0.5),
        cell: (t) => {
          const v = Math.round(Math.exp(t));
          return [Math.log(v - 0.5), Math.log(v + 0.5)];
        },
        toT: (v) => Math.log(v as number),
        fromT: (t) => Math.min(d.high, Math.max(d.low, Math.round(Math.exp(t)))),
      };
    case 'step': {
      const top = d.low + (stepCount(d) - 1) * d.step;
      const half = d.step / 2;
      return {
        kind: 'numeric',
        lo: d.low - half,
        hi: top + half,
        cell: (t) => [t - half, t + half],
        toT: (v) => v as number,
        fromT: (t) =>
          tidy(d.low + Math.min(stepCount(d) - 1, Math.max(0, Math.round((t - d.low) / d.step))) * d.step),
      };
    }
  }
}

/** Standard normal CDF (erfc by a Chebyshev fit, fractional error < 1.2e-7). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** log(Σ exp(xs)), stable. */
export function logSumExp(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** One dimension of a mixture: per-kernel parameters aligned with the mixture's weights. */
export type KernelDim =
  | { kind: 'numeric'; scale: NumericScale; mus: number[]; sigmas: number[] }
  | { kind: 'categorical'; scale: CategoricalScale; probs: number[][] };

/** A mixture of product kernels (one kernel per observation, plus the prior kernel last). */
export interface Mixture {
  logWeights: number[];
  weights: number[];
  dims: KernelDim[];
}

/** Optuna's default observation weights: flat for fewer than 25, else a ramp over the older ones. */
export function defaultWeights(n: number): number[] {
  if (n < 25) return Array.from({ length: n }, () => 1);
  const ramp = n - 25;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}

/** Options of the estimator. */
export interface ParzenOptions {
  priorWeight: number;
  considerEndpoints: boolean;
  /** When set, bandwidths follow the multivariate rule over this many jointly modelled dimensions. */
  multivariateDims?: number;
  /** Factor of the multivariate rule, `bandwidth · n^(-1/(d+4))` of the range (Optuna's 0.2 when absent). */
  bandwidth?: number;
}

/** Bandwidths of a univariate numerical estimator (Optuna 3: neighbour distances, endpoints, magic clip). */
function numericSigmas(mus: readonly number[], lo: number, hi: number, opts: ParzenOptions): number[] {
  const n = mus.length;
  const range = hi - lo;
  let sigmas: number[];
  if (opts.multivariateDims !== undefined) {
    const s = (opts.bandwidth ?? 0.2) * Math.max(n, 1) ** (-1 / (opts.multivariateDims + 4)) * range;
    sigmas = mus.map(() => s);
  } else {
    const withPrior = [...mus, 0.5 * (lo + hi)];
    const idx = withPrior
      .map((_, i) => i)
      .sort((a, b) => (withPrior[a] as number) - (withPrior[b] as number) || a - b);
    const sorted = [lo, ...idx.map((i) => withPrior[i] as number), hi];
    const sortedSigmas: number[] = [];
    for (let k = 1; k < sorted.length - 1; k++) {
      sortedSigmas.push(
        Math.max(
          (sorted[k] as number) - (sorted[k - 1] as number),
          (sorted[k + 1] as number) - (sorted[k] as number),
        ),
      );
    }
    if (!opts.considerEndpoints && sorted.length >= 4) {
      sortedSigmas[0] = (sorted[2] as number) - (sorted[1] as number);
      sortedSigmas[sortedSigmas.length - 1] =
        (sorted[sorted.length - 2] as number) - (sorted[sorted.length - 3] as number);
    }
    const byObs = new Array<number>(withPrior.length);
    idx.forEach((obs, k) => {
      byObs[obs] = sortedSigmas[k] as number;
    });
    sigmas = byObs.slice(0, n);
  }
  const minSigma = range / Math.min(100, 1 + n + 1);
  return sigmas.map((s) => Math.min(range, Math.max(minSigma, s)));
}

/** Builds a mixture from observations (`values[k][d]` on the transformed scale) with per-observation weights. */
export function buildMixture(
  scales: readonly Scale[],
  values: readonly number[][],
  obsWeights: readonly number[],
  opts: ParzenOptions,
): Mixture {
  const n = values.length;
  const raw = [...obsWeights, opts.priorWeight];
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / total);
  const dims: KernelDim[] = scales.map((scale, d) => {
    const obs = values.map((row) => row[d] as number);
    if (scale.kind === 'numeric') {
      const sigmas = numericSigmas(obs, scale.lo, scale.hi, opts);
      return {
        kind: 'numeric',
        scale,
        mus: [...obs, 0.5 * (scale.lo + scale.hi)],
        sigmas: [...sigmas, scale.hi - scale.lo],
      };
    }
    const kernels = n + 1;
    const probs = Array.from({ length: kernels }, (_, k) => {
      const row = Array.from({ length: scale.n }, () => opts.priorWeight / kernels);
      if (k < n) row[obs[k] as number] = (row[obs[k] as number] as number) + 1;
      const s = row.reduce((a, b) => a + b, 0);
      return row.map((p) => p / s);
    });
    return { kind: 'categorical', scale, probs };
  });
  return { weights, logWeights: weights.map((w) => Math.log(w)), dims };
}

function truncatedNormal(rng: Rng, mu: number, sigma: number, lo: number, hi: number): number {
  for (let i = 0; i < 64; i++) {
    const x = mu + sigma * rng.normal();
    if (x >= lo && x <= hi) return x;
  }
  return Math.min(hi, Math.max(lo, mu));
}

function pickIndex(rng: Rng, probs: readonly number[]): number {
  const u = rng.next();
  let acc = 0;
  for (let i = 0; i < probs.length; i++) {
    acc += probs[i] as number;
    if (u < acc) return i;
  }
  return probs.length - 1;
}

/** Draws one point (transformed scale; numerical values snapped to their cell centre) from a mixture. */
export function sampleMixture(m: Mixture, rng: Rng): number[] {
  const k = pickIndex(rng, m.weights);
  return m.dims.map((d) => {
    if (d.kind === 'categorical') return pickIndex(rng, d.probs[k] as number[]);
    const t = truncatedNormal(rng, d.mus[k] as number, d.sigmas[k] as number, d.scale.lo, d.scale.hi);
    return d.scale.toT(d.scale.fromT(t));
  });
}

/** Log density (or log mass for discrete dimensions) of a point under a mixture. */
export function logPdf(m: Mixture, x: readonly number[]): number {
  const terms = m.logWeights.map((lw, k) => {
    let s = lw;
    for (let i = 0; i < m.dims.length; i++) {
      const d = m.dims[i] as KernelDim;
      const xi = x[i] as number;
      if (d.kind === 'categorical') {
        s += Math.log((d.probs[k] as number[])[xi] as number);
        continue;
      }
      const mu = d.mus[k] as number;
      const sigma = d.sigmas[k] as number;
      const z = normalCdf((d.scale.hi - mu) / sigma) - normalCdf((d.scale.lo - mu) / sigma);
      const cell = d.scale.cell(xi);
      if (cell) {
        const p = normalCdf((cell[1] - mu) / sigma) - normalCdf((cell[0] - mu) / sigma);
        s += Math.log(p + EPS) - Math.log(z + EPS);
      } else {
        const u = (xi - mu) / sigma;
        s += -0.5 * u * u - Math.log(sigma) - 0.5 * Math.log(2 * Math.PI) - Math.log(z + EPS);
      }
    }
    return s;
  });
  return logSumExp(terms);
}
