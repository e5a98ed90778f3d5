/** Stratified k-fold: every fold keeps each class's share of the samples, to within one sample. */
import { createRng } from '../prng';
import { repeatSeed } from './kfold';
import { foldsFromAssignment, makePlan } from './plan';
import {
  SplitKind,
  type Fold,
  type KFoldOptions,
  type Labels,
  type RepeatedKFoldOptions,
  type SplitPlan,
} from './types';
import {
  checkClassCounts,
  checkFoldCount,
  checkInteger,
  checkSeed,
  checkShuffleSeed,
  encodeLabels,
  type EncodedLabels,
} from './validate';

function countResidue(end: number, residue: number, k: number): number {
  return end > residue ? Math.floor((end - residue + k - 1) / k) : 0;
}

/**
 * Fold assignment of scikit-learn 1.2's `StratifiedKFold`: classes numbered by first appearance, the
 * per-fold class counts read off a round-robin over the class-sorted labels, and each class's samples
 * given its folds in contiguous blocks (shuffled per class by our PRNG when a seed is given).
 */
export function stratifiedAssignment(
  encoded: EncodedLabels,
  k: number,
  seed: number | undefined,
): Uint32Array {
  const nClasses = encoded.counts.length;
  const rankToAppearance = encoded.firstSeen;
  const countsByAppearance = new Uint32Array(nClasses);
  for (let r = 0; r < nClasses; r++)
    countsByAppearance[rankToAppearance[r] as number] = encoded.counts[r] as number;
  const rng = seed === undefined ? undefined : createRng(seed);
  const foldsForClass: Uint32Array[] = [];
  let start = 0;
  for (let c = 0; c < nClasses; c++) {
    const end = start + (countsByAppearance[c] as number);
    const blocks = new Uint32Array(end - start);
    let p = 0;
    for (let f = 0; f < k; f++) {
      const take = countResidue(end, f, k) - countResidue(start, f, k);
      blocks.fill(f, p, p + take);
      p += take;
    }
    if (rng) rng.shuffleTyped(blocks);
    foldsForClass.push(blocks);
    start = end;
  }
  const cursor = new Uint32Array(nClasses);
  const assignment = new Uint32Array(encoded.rank.length);
  for (let i = 0; i < assignment.length; i++) {
    const c = rankToAppearance[encoded.rank[i] as number] as number;
    const at = cursor[c] as number;
    assignment[i] = (foldsForClass[c] as Uint32Array)[at] as number;
    cursor[c] = at + 1;
  }
  return assignment;
}

/**
 * Stratified k-fold over labels `y`. Without shuffling the folds equal scikit-learn 1.2's
 * `StratifiedKFold(k)` exactly (sizes and membership). With `shuffle: true` each class's fold blocks
 * are permuted by foldwise's seeded PRNG (not numpy's stream). Unlike scikit-learn, which only warns,
 * a class with fewer than k members is an error naming the class.
 *
 * @example
 * const plan = stratifiedKFold(['a', 'a', 'a', 'b', 'b', 'b'], { k: 3 });
 * plan.folds.map((f) => Array.from(f.test)); // [[0, 3], [1, 4], [2, 5]]
 */
export function stratifiedKFold(y: Labels, options: KFoldOptions): SplitPlan {
  const n = y.length;
  checkFoldCount(options.k, n);
  const seed = checkShuffleSeed(options.shuffle, options.seed);
  const encoded = encodeLabels(y, 'y');
  checkClassCounts(encoded, options.k, 'y');
  const folds = foldsFromAssignment(stratifiedAssignment(encoded, options.k, seed), options.k);
  return makePlan(SplitKind.Stratified, { k: options.k, shuffle: seed !== undefined, seed }, n, folds);
}

/**
 * Stratified k-fold repeated `repeats` times; repetition r shuffles with `deriveSeed(seed, 'repeat', r)`.
 *
 * @example
 * const plan = repeatedStratifiedKFold(y, { k: 5, repeats: 10, seed: 1 });
 * plan.folds.filter((f) => f.repeat === 0).length; // 5
 */
export function repeatedStratifiedKFold(y: Labels, options: RepeatedKFoldOptions): SplitPlan {
  const n = y.length;
  checkFoldCount(options.k, n);
  checkInteger(options.repeats, 'repeats', 1);
  checkSeed(options.seed);
  const encoded = encodeLabels(y, 'y');
  checkClassCounts(encoded, options.k, 'y');
  const folds: Fold[] = [];
  for (let r = 0; r < options.repeats; r++) {
    folds.push(
      ...foldsFromAssignment(
        stratifiedAssignment(encoded, options.k, repeatSeed(options.seed, r)),
        options.k,
        r,
      ),
    );
  }
  return makePlan(
    SplitKind.RepeatedStratified,
    { k: options.k, repeats: options.repeats, seed: options.seed },
    n,
    folds,
  );
}
