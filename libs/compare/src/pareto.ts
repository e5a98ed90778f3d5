// Pareto fronts of candidates scored on several objectives over shared folds.
import { indexFrom, mulberry32 } from './prng';

/**
 * Whether `a` dominates `b`: at least as good on every objective and better on one. Values are oriented so that
 * larger is better.
 */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x < y) return false;
    if (x > y) better = true;
  }
  return better;
}

/**
 * Non-dominated sorting (Deb et al. 2002): the rank of each point, 0 for the Pareto front, 1 for the front of what is
 * left, and so on. Values are oriented so that larger is better.
 */
export function nonDominatedRanks(points: readonly (readonly number[])[]): number[] {
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = points.map(() => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = points[i] as number[];
      const b = points[j] as number[];
      if (dominates(a, b)) {
        (dominating[i] as number[]).push(j);
        dominatedBy[j] = (dominatedBy[j] as number) + 1;
      } else if (dominates(b, a)) {
        (dominating[j] as number[]).push(i);
        dominatedBy[i] = (dominatedBy[i] as number) + 1;
      }
    }
  }
  const rank = new Array<number>(n).fill(-1);
  let current = points.map((_, i) => i).filter((i) => dominatedBy[i] === 0);
  for (let r = 0; current.length > 0; r++) {
    const next: number[] = [];
    for (const i of current) {
      rank[i] = r;
      for (const j of dominating[i] as number[]) {
        dominatedBy[j] = (dominatedBy[j] as number) - 1;
        if (dominatedBy[j] === 0) next.push(j);
      }
    }
    current = next;
  }
  return rank;
}

/**
 * Which points are non-dominated (rank 0), in O(n · front size): points are visited in decreasing lexicographic order,
 * so a dominating point is always visited before the points it dominates, and each point is checked against the front
 * found so far only. Values are oriented so that larger is better.
 */
export function nonDominatedMask(points: readonly (readonly number[])[]): boolean[] {
  const order = points.map((_, i) => i);
  order.sort((i, j) => {
    const a = points[i] as readonly number[];
    const b = points[j] as readonly number[];
    for (let k = 0; k < a.length; k++) {
      const d = (b[k] as number) - (a[k] as number);
      if (d !== 0) return d;
    }
    return i - j;
  });
  const front: number[] = [];
  const mask = new Array<boolean>(points.length).fill(false);
  for (const i of order) {
    const p = points[i] as readonly number[];
    if (front.some((f) => dominates(points[f] as readonly number[], p))) continue;
    front.push(i);
    mask[i] = true;
  }
  return mask;
}

/** A candidate's value on each objective on each shared fold: `values[objective][fold]`, oriented larger-is-better. */
export interface ParetoCandidate {
  values: readonly (readonly number[])[];
}

/** Result of {@link paretoFront}, one entry per candidate in input order. */
export interface ParetoResult {
  /** Mean of each objective over the folds (oriented as given). */
  means: number[][];
  /** Whether the candidate is on the Pareto front of the fold means. */
  onFront: boolean[];
  /** Share of bootstrap resamples of the folds (the same resampled folds for every candidate) in which it is non-dominated. */
  pNonDominated: number[];
  resamples: number;
}

/**
 * The Pareto front of candidates scored on the same folds, and each candidate's probability of being non-dominated:
 * the folds are resampled with replacement (`resamples` times, indices drawn with {@link mulberry32} seeded by `seed`),
 * every candidate's objective means are recomputed on the resampled folds — the same folds for all, which keeps the
 * pairing — and the share of resamples in which it is non-dominated is counted.
 */
export function paretoFront(
  candidates: readonly ParetoCandidate[],
  opts: { resamples?: number; seed?: number } = {},
): ParetoResult {
  const resamples = opts.resamples ?? 1000;
  if (!Number.isInteger(resamples) || resamples < 0)
    throw new Error(`resamples: must be a non-negative integer (got ${String(resamples)})`);
  const nObj = candidates[0]?.values.length ?? 0;
  const nFolds = candidates[0]?.values[0]?.length ?? 0;
  candidates.forEach((c, i) => {
    if (c.values.length !== nObj) throw new Error(`candidates[${i}]: must have ${nObj} objectives`);
    c.values.forEach((v, o) => {
      if (v.length !== nFolds) throw new Error(`candidates[${i}].values[${o}]: must have ${nFolds} folds`);
      v.forEach((x, f) => {
        if (!Number.isFinite(x)) throw new Error(`candidates[${i}].values[${o}][${f}]: must be finite`);
      });
    });
  });
  const meanOver = (folds: ArrayLike<number>) =>
    candidates.map((c) =>
      c.values.map((v) => {
        let s = 0;
        for (let k = 0; k < folds.length; k++) s += v[folds[k] as number] as number;
        return s / folds.length;
      }),
    );
  const all = Int32Array.from({ length: nFolds }, (_, f) => f);
  const means = nFolds > 0 ? meanOver(all) : candidates.map(() => []);
  const onFront = nonDominatedMask(means);
  const hits = new Array<number>(candidates.length).fill(0);
  if (nFolds > 0 && resamples > 0) {
    const next = mulberry32(opts.seed ?? 0);
    const drawn = new Int32Array(nFolds);
    for (let r = 0; r < resamples; r++) {
      for (let k = 0; k < nFolds; k++) drawn[k] = indexFrom(next(), nFolds);
      nonDominatedMask(meanOver(drawn)).forEach((on, i) => {
        if (on) hits[i] = (hits[i] as number) + 1;
      });
    }
  }
  return {
    means,
    onFront,
    pNonDominated: hits.map((h, i) => (resamples > 0 && nFolds > 0 ? h / resamples : onFront[i] ? 1 : 0)),
    resamples,
  };
}

/**
 * Hypervolume dominated by 2-objective points (larger is better) up to the reference point `ref` (worse than every
 * point on both objectives).
 */
export function hypervolume2d(
  points: readonly (readonly number[])[],
  ref: readonly [number, number],
): number {
  const front = points
    .filter((p) => (p[0] as number) > ref[0] && (p[1] as number) > ref[1])
    .map((p) => [p[0] as number, p[1] as number] as const)
    .sort((a, b) => b[0] - a[0] || b[1] - a[1]);
  let volume = 0;
  let top = ref[1];
  for (const [x, y] of front) {
    if (y <= top) continue;
    volume += (x - ref[0]) * (y - top);
    top = y;
  }
  return volume;
}
