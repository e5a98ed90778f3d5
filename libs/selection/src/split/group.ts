/** Group k-fold splitters: all samples of a group land in the same test fold. */
import { createRng } from '../prng';
import { numpyArgsort, numpySum, numpyStd } from './numpy-compat';
import { foldsFromAssignment, makePlan } from './plan';
import { SplitKind, type GroupKFoldOptions, type KFoldOptions, type Labels, type SplitPlan } from './types';
import {
  checkClassCounts,
  checkFoldCount,
  checkLength,
  checkShuffleSeed,
  encodeLabels,
  type EncodedLabels,
} from './validate';

function checkGroupCount(groups: EncodedLabels, k: number): void {
  const distinct = groups.counts.length;
  if (distinct === 1) {
    throw new Error(
      `groups: every sample is in one group, so no fold can be held out; give at least ${k} distinct groups or use a non-group splitter`,
    );
  }
  if (distinct < k) {
    throw new Error(
      `groups: ${distinct} distinct groups, fewer than k=${k}; lower k to at most ${distinct} or split into more groups`,
    );
  }
}

/**
 * Group k-fold, as scikit-learn 1.2's `GroupKFold(k)`: groups sorted by size (largest first, ties in
 * numpy's quicksort order), each added to the fold with the fewest samples so far (the first such fold).
 *
 * @example
 * const plan = groupKFold(['u1', 'u1', 'u2', 'u3', 'u3', 'u3'], { k: 2 });
 * plan.folds.map((f) => Array.from(f.test)); // [[3, 4, 5], [0, 1, 2]]
 */
export function groupKFold(groups: Labels, options: GroupKFoldOptions): SplitPlan {
  const n = groups.length;
  checkFoldCount(options.k, n);
  const encoded = encodeLabels(groups, 'groups');
  checkGroupCount(encoded, options.k);
  const k = options.k;
  const bySize = numpyArgsort(encoded.counts);
  const weight = new Float64Array(k);
  const groupFold = new Uint32Array(encoded.counts.length);
  for (let p = bySize.length - 1; p >= 0; p--) {
    const g = bySize[p] as number;
    let lightest = 0;
    for (let f = 1; f < k; f++) if ((weight[f] as number) < (weight[lightest] as number)) lightest = f;
    weight[lightest] = (weight[lightest] as number) + (encoded.counts[g] as number);
    groupFold[g] = lightest;
  }
  const assignment = new Uint32Array(n);
  for (let i = 0; i < n; i++) assignment[i] = groupFold[encoded.rank[i] as number] as number;
  return makePlan(SplitKind.Group, { k }, n, foldsFromAssignment(assignment, k));
}

function isClose(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}

function foldEvaluation(
  perFold: Float64Array,
  k: number,
  nClasses: number,
  classTotals: Uint32Array,
): number {
  const stdPerClass = new Float64Array(nClasses);
  const column = new Float64Array(k);
  for (let c = 0; c < nClasses; c++) {
    const total = classTotals[c] as number;
    for (let f = 0; f < k; f++) column[f] = (perFold[f * nClasses + c] as number) / total;
    if (nClasses === 1) {
      stdPerClass[c] = numpyStd(column);
    } else {
      let sum = 0;
      for (let f = 0; f < k; f++) sum += column[f] as number;
      const mean = sum / k;
      let sq = 0;
      for (let f = 0; f < k; f++) {
        const d = (column[f] as number) - mean;
        sq += d * d;
      }
      stdPerClass[c] = Math.sqrt(sq / k);
    }
  }
  return (0 + numpySum(stdPerClass)) / nClasses;
}

/**
 * Stratified group k-fold, as scikit-learn 1.2's `StratifiedGroupKFold(k)` without shuffling: groups
 * taken in descending order of the spread of their class counts (stable), each put in the fold that keeps
 * the class proportions across folds most even (ties: the fold with fewer samples). Floating-point sums
 * follow numpy's order, so near-ties break the same way. With `shuffle: true` the group order before the
 * stable sort is permuted by foldwise's PRNG (scikit-learn 1.2 shuffles the count rows without the group
 * ids, which we do not reproduce). Errors when a class has fewer than k members or there are fewer than
 * k groups.
 *
 * @example
 * const y = [0, 0, 1, 1, 0, 1, 0, 1];
 * const groups = [1, 1, 2, 2, 3, 3, 4, 4];
 * stratifiedGroupKFold(y, groups, { k: 2 }).folds.length; // 2, each test fold a union of whole groups
 */
export function stratifiedGroupKFold(y: Labels, groups: Labels, options: KFoldOptions): SplitPlan {
  const n = y.length;
  checkLength(groups, n, 'groups');
  checkFoldCount(options.k, n);
  const seed = checkShuffleSeed(options.shuffle, options.seed);
  const labels = encodeLabels(y, 'y');
  checkClassCounts(labels, options.k, 'y');
  const groupLabels = encodeLabels(groups, 'groups');
  checkGroupCount(groupLabels, options.k);
  const k = options.k;
  const nClasses = labels.counts.length;
  const nGroups = groupLabels.counts.length;
  const countsPerGroup = new Float64Array(nGroups * nClasses);
  for (let i = 0; i < n; i++) {
    const at = (groupLabels.rank[i] as number) * nClasses + (labels.rank[i] as number);
    countsPerGroup[at] = (countsPerGroup[at] as number) + 1;
  }
  const visit = new Uint32Array(nGroups);
  for (let g = 0; g < nGroups; g++) visit[g] = g;
  if (seed !== undefined) createRng(seed).shuffleTyped(visit);
  const spread = new Float64Array(nGroups);
  for (let g = 0; g < nGroups; g++)
    spread[g] = numpyStd(countsPerGroup.subarray(g * nClasses, (g + 1) * nClasses));
  const order = Array.from(visit).sort((a, b) => (spread[b] as number) - (spread[a] as number));
  const perFold = new Float64Array(k * nClasses);
  const groupFold = new Uint32Array(nGroups);
  for (const g of order) {
    const row = countsPerGroup.subarray(g * nClasses, (g + 1) * nClasses);
    let best = 0;
    let minEval = Infinity;
    let minSamples = Infinity;
    for (let f = 0; f < k; f++) {
      for (let c = 0; c < nClasses; c++)
        perFold[f * nClasses + c] = (perFold[f * nClasses + c] as number) + (row[c] as number);
      const evaluation = foldEvaluation(perFold, k, nClasses, labels.counts);
      for (let c = 0; c < nClasses; c++)
        perFold[f * nClasses + c] = (perFold[f * nClasses + c] as number) - (row[c] as number);
      let samples = 0;
      for (let c = 0; c < nClasses; c++) samples += perFold[f * nClasses + c] as number;
      if (evaluation < minEval || (isClose(evaluation, minEval) && samples < minSamples)) {
        minEval = evaluation;
        minSamples = samples;
        best = f;
      }
    }
    for (let c = 0; c < nClasses; c++)
      perFold[best * nClasses + c] = (perFold[best * nClasses + c] as number) + (row[c] as number);
    groupFold[g] = best;
  }
  const assignment = new Uint32Array(n);
  for (let i = 0; i < n; i++) assignment[i] = groupFold[groupLabels.rank[i] as number] as number;
  return makePlan(
    SplitKind.StratifiedGroup,
    { k, shuffle: seed !== undefined, seed },
    n,
    foldsFromAssignment(assignment, k),
  );
}
