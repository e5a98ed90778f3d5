/** K-fold cross-validation, plain and repeated. */
import { createRng, deriveSeed } from '../prng';
import { foldsFromAssignment, makePlan } from './plan';
import { SplitKind, type Fold, type KFoldOptions, type RepeatedKFoldOptions, type SplitPlan } from './types';
import { checkFoldCount, checkInteger, checkSampleCount, checkSeed, checkShuffleSeed } from './validate';

/** Fold assignment of k-fold: contiguous blocks over `order`, the first `n % k` blocks one sample larger. */
export function kFoldAssignment(n: number, k: number, seed: number | undefined): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (seed !== undefined) createRng(seed).shuffleTyped(order);
  const assignment = new Uint32Array(n);
  const base = Math.floor(n / k);
  const extra = n % k;
  let p = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0);
    for (let e = p + size; p < e; p++) assignment[order[p] as number] = f;
  }
  return assignment;
}

/** The seed repetition `repeat` of a repeated splitter shuffles with. */
export function repeatSeed(seed: number, repeat: number): number {
  return deriveSeed(seed, 'repeat', repeat);
}

/**
 * K-fold cross-validation over `n` samples. Without shuffling the folds are scikit-learn's `KFold(k)`
 * exactly: contiguous test blocks, the first `n % k` of them one sample larger. With `shuffle: true`
 * samples are permuted by foldwise's seeded PRNG first (not numpy's stream, so shuffled folds differ
 * from scikit-learn's for the same seed number).
 *
 * @example
 * const plan = kFold(10, { k: 3 });
 * plan.folds[0].test; // Uint32Array [0, 1, 2, 3]
 * plan.folds[1].train; // Uint32Array [0, 1, 2, 3, 7, 8, 9]
 * kFold(10, { k: 3, shuffle: true, seed: 42 }).hash; // same 16 hex digits on every machine
 */
export function kFold(n: number, options: KFoldOptions): SplitPlan {
  checkSampleCount(n);
  checkFoldCount(options.k, n);
  const seed = checkShuffleSeed(options.shuffle, options.seed);
  const folds = foldsFromAssignment(kFoldAssignment(n, options.k, seed), options.k);
  return makePlan(SplitKind.KFold, { k: options.k, shuffle: seed !== undefined, seed }, n, folds);
}

/**
 * K-fold repeated `repeats` times with different shuffles; repetition r shuffles with
 * `deriveSeed(seed, 'repeat', r)`, so it equals `kFold(n, { k, shuffle: true, seed: thatSeed })`.
 *
 * @example
 * const plan = repeatedKFold(100, { k: 5, repeats: 3, seed: 7 });
 * plan.folds.length; // 15, each with `repeat` 0..2 and `fold` 0..4
 */
export function repeatedKFold(n: number, options: RepeatedKFoldOptions): SplitPlan {
  checkSampleCount(n);
  checkFoldCount(options.k, n);
  checkInteger(options.repeats, 'repeats', 1);
  checkSeed(options.seed);
  const folds: Fold[] = [];
  for (let r = 0; r < options.repeats; r++) {
    folds.push(
      ...foldsFromAssignment(kFoldAssignment(n, options.k, repeatSeed(options.seed, r)), options.k, r),
    );
  }
  return makePlan(
    SplitKind.RepeatedKFold,
    { k: options.k, repeats: options.repeats, seed: options.seed },
    n,
    folds,
  );
}
