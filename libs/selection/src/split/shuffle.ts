/** Random train/test splits: repeated shuffle splits and the single holdout split. */
import { createRng, deriveSeed, type Rng } from '../prng';
import { indicesWhere, makePlan } from './plan';
import {
  SplitKind,
  type Fold,
  type ShuffleSplitOptions,
  type SplitPlan,
  type TrainTestSplitOptions,
} from './types';
import { checkInteger, checkLength, checkSampleCount, checkSeed, encodeLabels, showLabel } from './validate';

const IN_TRAIN = 1;
const IN_TEST = 2;

function isFraction(size: number): boolean {
  return size > 0 && size < 1;
}

function checkSize(size: number | undefined, n: number, field: string): void {
  if (size === undefined) return;
  const ok =
    typeof size === 'number' && (isFraction(size) || (Number.isInteger(size) && size >= 1 && size < n));
  if (!ok) {
    throw new Error(
      `${field}: must be a fraction in (0, 1) or a whole number of samples in [1, ${Math.max(n - 1, 1)}] (got ${String(size)})`,
    );
  }
}

/** Resolves test and train sizes as scikit-learn does: test fractions round up, train fractions down. */
export function resolveSizes(
  n: number,
  testSize: number,
  trainSize?: number,
): { nTest: number; nTrain: number } {
  checkSize(testSize, n, 'testSize');
  checkSize(trainSize, n, 'trainSize');
  if (trainSize !== undefined && isFraction(testSize) && isFraction(trainSize) && testSize + trainSize > 1) {
    throw new Error(
      `trainSize: testSize + trainSize = ${testSize + trainSize} exceeds 1; reduce testSize or trainSize`,
    );
  }
  const nTest = isFraction(testSize) ? Math.ceil(testSize * n) : testSize;
  const nTrain =
    trainSize === undefined ? n - nTest : isFraction(trainSize) ? Math.floor(trainSize * n) : trainSize;
  if (nTrain + nTest > n) {
    throw new Error(
      `trainSize: ${nTrain} training plus ${nTest} test samples exceed the ${n} samples; reduce testSize or trainSize`,
    );
  }
  if (nTrain === 0) {
    throw new Error(
      `testSize: with n = ${n}, testSize ${testSize} leaves no training samples; lower testSize`,
    );
  }
  return { nTest, nTrain };
}

function randomSplit(
  n: number,
  nTest: number,
  nTrain: number,
  rng: Rng,
): { train: Uint32Array; test: Uint32Array } {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  rng.shuffleTyped(perm);
  const mask = new Uint8Array(n);
  for (let p = 0; p < nTest; p++) mask[perm[p] as number] = IN_TEST;
  for (let p = nTest; p < nTest + nTrain; p++) mask[perm[p] as number] = IN_TRAIN;
  return { train: indicesWhere(mask, IN_TRAIN, nTrain), test: indicesWhere(mask, IN_TEST, nTest) };
}

/**
 * Independent random train/test splits, as scikit-learn's `ShuffleSplit`: split s permutes the samples
 * with `deriveSeed(seed, 'split', s)` and takes the first `nTest` as test, the next `nTrain` as train.
 * Sizes in (0, 1) are fractions (test rounded up, train down); whole numbers ≥ 1 are counts (so `1`
 * means one sample, never 100%).
 *
 * @example
 * const plan = shuffleSplit(100, { nSplits: 10, testSize: 0.2, seed: 3 });
 * plan.folds[0].test.length; // 20
 */
export function shuffleSplit(n: number, options: ShuffleSplitOptions): SplitPlan {
  checkSampleCount(n);
  checkInteger(options.nSplits, 'nSplits', 1);
  checkSeed(options.seed);
  const { nTest, nTrain } = resolveSizes(n, options.testSize, options.trainSize);
  const folds: Fold[] = [];
  for (let s = 0; s < options.nSplits; s++) {
    const rng = createRng(deriveSeed(options.seed, 'split', s));
    folds.push({ ...randomSplit(n, nTest, nTrain, rng), fold: s });
  }
  const hashed = {
    nSplits: options.nSplits,
    testSize: options.testSize,
    trainSize: options.trainSize,
    seed: options.seed,
  };
  return makePlan(SplitKind.ShuffleSplit, hashed, n, folds);
}

/** Splits `nDraws` over classes in proportion to `counts`, largest remainders first, ties broken by `rng`. */
export function approximateMode(counts: Uint32Array, nDraws: number, rng: Rng): Uint32Array {
  let total = 0;
  for (const c of counts) total += c;
  const out = new Uint32Array(counts.length);
  const remainder = new Float64Array(counts.length);
  let given = 0;
  for (let c = 0; c < counts.length; c++) {
    const continuous = ((counts[c] as number) * nDraws) / total;
    out[c] = Math.floor(continuous);
    remainder[c] = continuous - (out[c] as number);
    given += out[c] as number;
  }
  const tieBreak = new Float64Array(counts.length);
  for (let c = 0; c < counts.length; c++) tieBreak[c] = rng.next();
  const order = Array.from(out.keys()).sort(
    (a, b) =>
      (remainder[b] as number) - (remainder[a] as number) ||
      (tieBreak[a] as number) - (tieBreak[b] as number),
  );
  for (let p = 0; given < nDraws && p < order.length; p++) {
    const c = order[p] as number;
    out[c] = (out[c] as number) + 1;
    given++;
  }
  return out;
}

function stratifiedHoldout(
  y: ArrayLike<number | string>,
  nTest: number,
  nTrain: number,
  rng: Rng,
): { train: Uint32Array; test: Uint32Array } {
  const encoded = encodeLabels(y, 'stratify');
  const nClasses = encoded.counts.length;
  for (let c = 0; c < nClasses; c++) {
    if ((encoded.counts[c] as number) < 2) {
      throw new Error(
        `stratify: class ${showLabel(encoded.sorted[c] as number | string)} has only 1 member; a stratified split needs at least 2 per class — remove or merge that class, or drop stratify`,
      );
    }
  }
  if (nTrain < nClasses || nTest < nClasses) {
    throw new Error(
      `testSize: a stratified split of ${nClasses} classes needs at least ${nClasses} train and test samples (got ${nTrain} and ${nTest})`,
    );
  }
  const trainPerClass = approximateMode(encoded.counts, nTrain, rng);
  const members: Uint32Array[] = [];
  const fill = new Uint32Array(nClasses);
  for (let c = 0; c < nClasses; c++) members.push(new Uint32Array(encoded.counts[c] as number));
  for (let i = 0; i < encoded.rank.length; i++) {
    const c = encoded.rank[i] as number;
    const at = fill[c] as number;
    (members[c] as Uint32Array)[at] = i;
    fill[c] = at + 1;
  }
  const mask = new Uint8Array(encoded.rank.length);
  for (let c = 0; c < nClasses; c++) {
    const list = rng.shuffleTyped(members[c] as Uint32Array);
    const take = trainPerClass[c] as number;
    for (let p = 0; p < list.length; p++) mask[list[p] as number] = p < take ? IN_TRAIN : IN_TEST;
  }
  return { train: indicesWhere(mask, IN_TRAIN, nTrain), test: indicesWhere(mask, IN_TEST, nTest) };
}

/**
 * One holdout split, as scikit-learn's `train_test_split` (on indices). Shuffled by default with
 * foldwise's PRNG; `shuffle: false` keeps the first `nTrain` samples for training and the rest for test.
 * With `stratify: y` every class keeps its share in both parts to within one sample (classes need at
 * least 2 members; stratifying requires shuffling).
 *
 * @example
 * const plan = trainTestSplit(10, { testSize: 0.3, seed: 1 });
 * plan.folds[0].test.length; // 3
 * trainTestSplit(6, { testSize: 2, shuffle: false, seed: 0 }).folds[0].test; // Uint32Array [4, 5]
 */
export function trainTestSplit(n: number, options: TrainTestSplitOptions): SplitPlan {
  checkSampleCount(n);
  checkSeed(options.seed);
  const shuffle = options.shuffle ?? true;
  if (typeof shuffle !== 'boolean') throw new Error(`shuffle: must be a boolean (got ${String(shuffle)})`);
  const { nTest, nTrain } = resolveSizes(n, options.testSize);
  let split: { train: Uint32Array; test: Uint32Array };
  if (options.stratify !== undefined) {
    checkLength(options.stratify, n, 'stratify');
    if (!shuffle)
      throw new Error('stratify: a stratified split must shuffle; set shuffle: true or drop stratify');
    split = stratifiedHoldout(options.stratify, nTest, nTrain, createRng(options.seed));
  } else if (shuffle) {
    split = randomSplit(n, nTest, nTrain, createRng(options.seed));
  } else {
    const train = new Uint32Array(nTrain);
    const test = new Uint32Array(nTest);
    for (let i = 0; i < nTrain; i++) train[i] = i;
    for (let i = 0; i < nTest; i++) test[i] = nTrain + i;
    split = { train, test };
  }
  const hashed = {
    testSize: options.testSize,
    stratify: options.stratify !== undefined,
    seed: options.seed,
    shuffle,
  };
  return makePlan(SplitKind.Holdout, hashed, n, [{ ...split, fold: 0 }]);
}
