// Friedman's test over many candidates on shared folds, and the Nemenyi post-hoc critical difference.
import { chiSquare } from './distributions';
import { rankData, tieGroupSizes } from './ranks';
import type { TestResult } from './types';
import { checkTestTrainRatio } from './validate';

/**
 * Critical values q_α of the Nemenyi test for k = 2..20 candidates (index k − 2): the studentized range
 * quantile with infinite degrees of freedom divided by sqrt(2), as tabulated by Demšar (2006). Computed
 * with scipy.stats.studentized_range.ppf(1 − α, k, inf) / sqrt(2) by test/reference/compare/generate.py.
 */
export const NEMENYI_Q = {
  '0.05': [
    1.9599639845400534, 2.343700586378409, 2.569031772546482, 2.7277743708703763, 2.8497054196100016,
    2.9483200175296744, 3.030878449614413, 3.1017303413033805, 3.163683577053373, 3.2186536073291525,
    3.268003924466142, 3.31273859335082, 3.3536177518523043, 3.391230283765257, 3.4260413793706097,
    3.4584247073473247, 3.4886847993791976, 3.517073008691811, 3.5437991315177815,
  ],
  '0.1': [
    1.6448536269514722, 2.0522927304967755, 2.2913414968880566, 2.4595157642714183, 2.588520601922348,
    2.6927321009677594, 2.779883608152978, 2.8546064311980253, 2.9198888400615384, 2.9777682512648735,
    3.0296941831785844, 3.0767334682691447, 3.1196933331372936, 3.1591988189088367, 3.195743433019599,
    3.229723400908194, 3.2614614896472762, 3.2912239865997983, 3.319233059548415,
  ],
} as const;

function checkMatrix(
  scores: readonly (readonly number[])[],
  minColumns: number,
  what: string,
): { n: number; k: number } {
  if (!Array.isArray(scores)) throw new Error('scores: must be an array of rows (one per fold)');
  if (scores.length < 2) throw new Error(`scores: needs at least 2 rows (folds) (got ${scores.length})`);
  const k = scores[0]?.length ?? 0;
  if (k < minColumns)
    throw new Error(`scores: ${what} needs at least ${minColumns} columns (candidates) (got ${k})`);
  scores.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== k) {
      throw new Error(
        `scores[${i}]: must have ${k} columns like scores[0] (got ${Array.isArray(row) ? row.length : typeof row})`,
      );
    }
    row.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new Error(`scores[${i}][${j}]: must be a finite number (got ${String(v)})`);
    });
  });
  return { n: scores.length, k };
}

/** Average rank of every column across rows, rank 1 going to the highest score when higherIsBetter. */
export function averageRanks(scores: number[][], higherIsBetter = true): number[] {
  const k = scores[0]?.length ?? 0;
  const sums = new Array<number>(k).fill(0);
  for (const row of scores) {
    const ranks = rankData(higherIsBetter ? row.map((v) => -v) : row);
    ranks.forEach((r, j) => (sums[j] = (sums[j] ?? 0) + r));
  }
  return sums.map((s) => s / scores.length);
}

/** Result of {@link friedmanTest}; averageRanks gives rank 1 to the highest score. */
export interface FriedmanResult extends TestResult {
  df: number;
  averageRanks: number[];
}

/**
 * Friedman's rank test (scipy.stats.friedmanchisquare): rows are blocks (folds), columns are candidates
 * (at least 3, as SciPy requires). Ties within a row get average ranks and the statistic is divided by
 * 1 − Σ(t³ − t)/(k(k² − 1)n); when every row is entirely tied that factor is 0 and the result is NaN.
 * With `testTrainRatio` (n_test / n_train of cross-validation folds) the statistic is divided by (1 + n ·
 * testTrainRatio), the Nadeau–Bengio variance inflation for correlated folds (not SciPy's; see `bench:stats`).
 */
export function friedmanTest(scores: number[][], opts: { testTrainRatio?: number } = {}): FriedmanResult {
  const { n, k } = checkMatrix(scores, 3, 'the Friedman test');
  const sums = new Array<number>(k).fill(0);
  let ties = 0;
  for (const row of scores) {
    const ranks = rankData(row);
    ranks.forEach((r, j) => (sums[j] = (sums[j] ?? 0) + r));
    for (const t of tieGroupSizes(ranks)) ties += t * (t * t - 1);
  }
  const c = 1 - ties / (k * (k * k - 1) * n);
  let ssbn = 0;
  for (const s of sums) ssbn += s * s;
  if (opts.testTrainRatio !== undefined) checkTestTrainRatio(opts.testTrainRatio);
  const inflation = 1 + n * (opts.testTrainRatio ?? 0);
  const statistic = ((12 / (k * n * (k + 1))) * ssbn - 3 * n * (k + 1)) / c / inflation;
  return { statistic, pValue: chiSquare.sf(statistic, k - 1), df: k - 1, averageRanks: averageRanks(scores) };
}

/** Significance levels with tabulated Nemenyi critical values. */
export const NemenyiAlpha = { P05: 0.05, P10: 0.1 } as const;
/** One of the values of {@link NemenyiAlpha}. */
export type NemenyiAlpha = (typeof NemenyiAlpha)[keyof typeof NemenyiAlpha];

/** One pair of candidates in a Nemenyi comparison. */
export interface NemenyiPair {
  i: number;
  j: number;
  rankDifference: number;
  significant: boolean;
}

/** Result of {@link nemenyi}. */
export interface NemenyiResult {
  averageRanks: number[];
  q: number;
  criticalDifference: number;
  /** significant[i][j]: |R_i − R_j| > CD (the diagonal is false). */
  significant: boolean[][];
  pairs: NemenyiPair[];
}

/**
 * Nemenyi post-hoc test (Demšar 2006): average ranks per candidate (rank 1 = best), critical difference
 * CD = q_α · sqrt(k(k + 1)/(6N)); two candidates differ when their average ranks differ by more than CD.
 */
export function nemenyi(
  scores: number[][],
  opts: { alpha: NemenyiAlpha; higherIsBetter?: boolean },
): NemenyiResult {
  const { n, k } = checkMatrix(scores, 2, 'the Nemenyi test');
  if (k > 20) throw new Error(`scores: the Nemenyi table covers at most 20 candidates (got ${k})`);
  const table = opts.alpha === 0.05 ? NEMENYI_Q['0.05'] : opts.alpha === 0.1 ? NEMENYI_Q['0.1'] : undefined;
  if (!table) throw new Error(`alpha: must be 0.05 or 0.1 (got ${String(opts.alpha)})`);
  const q = table[k - 2] ?? NaN;
  const criticalDifference = q * Math.sqrt((k * (k + 1)) / (6 * n));
  const ranks = averageRanks(scores, opts.higherIsBetter ?? true);
  const significant = ranks.map((ri) => ranks.map((rj) => Math.abs(ri - rj) > criticalDifference));
  const pairs: NemenyiPair[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const rankDifference = (ranks[i] ?? NaN) - (ranks[j] ?? NaN);
      pairs.push({ i, j, rankDifference, significant: Math.abs(rankDifference) > criticalDifference });
    }
  }
  return { averageRanks: ranks, q, criticalDifference, significant, pairs };
}
