import { StableHasher, createRng, deriveSeed, makeSplits, trainTestSplit } from '@foldwise/selection';
import { autoRepeatsMax, type CvSpec } from '@foldwise/spec';
import type { LoadedDataset } from './ports';

/** Train and validation sample indices of one fold, in the dataset's own numbering. */
export interface FoldIndices {
  train: Uint32Array;
  test: Uint32Array;
}

/** Every fold of a search, the samples available to refit, and what is held out for the final test. */
export interface FoldPlan {
  folds: FoldIndices[];
  /** Samples that cross-validation may use (all of them unless a hold-out was requested). */
  pool: Uint32Array;
  /** Samples held out of cross-validation and scored once at the end (empty when none). */
  holdout: Uint32Array;
  /** Hash of the hold-out and every fold's indices: proof that candidates shared the same folds. */
  hash: string;
  /** n_test / n_train averaged over folds. */
  testTrainRatio: number;
}

/** Plans rebuilt per process, least recently used first; a worker serves few searches at once. */
const cache = new Map<string, FoldPlan>();
const PLANS_KEPT = 32;

function mapThrough(pool: Uint32Array, local: Uint32Array): Uint32Array {
  const out = new Uint32Array(local.length);
  for (let i = 0; i < local.length; i++) out[i] = pool[local[i] as number] as number;
  return out.sort();
}

/** Samples of a grouped data set held out whole groups at a time, groups in seeded random order, until `fraction` of them. */
function holdOutGroups(
  groups: Int32Array,
  fraction: number,
  seed: number,
): { pool: Uint32Array; holdout: Uint32Array } {
  const ids = [...new Set(groups)].sort((a, b) => a - b);
  if (ids.length < 2) throw new Error('holdout: the data has one group only, so no group can be held out');
  createRng(deriveSeed(seed, 'holdout-groups')).shuffle(ids);
  const want = Math.ceil(fraction * groups.length);
  const out = new Set<number>();
  let taken = 0;
  for (const g of ids.slice(0, -1)) {
    if (taken >= want) break;
    out.add(g);
    for (const x of groups) if (x === g) taken++;
  }
  const pool: number[] = [];
  const holdout: number[] = [];
  groups.forEach((g, i) => (out.has(g) ? holdout : pool).push(i));
  return { pool: Uint32Array.from(pool), holdout: Uint32Array.from(holdout) };
}

/** Rebuilds the folds of a search from (dataset, cv, seed); the same inputs give the same plan everywhere. */
export function planFolds(ds: LoadedDataset, cv: CvSpec, seed: number): FoldPlan {
  const key = `${ds.hash}|${JSON.stringify(cv)}|${seed}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const stratify = ds.task === 'classification';
  const grouped = cv.kind === 'group' || cv.kind === 'stratified-group';
  if (grouped && !ds.groups) throw new Error(`${cv.kind} needs the dataset's groups column (dataset.groups)`);
  let pool: Uint32Array = Uint32Array.from({ length: ds.nSamples }, (_, i) => i);
  let holdout: Uint32Array = new Uint32Array(0);
  if (cv.holdout !== undefined) {
    if (cv.kind === 'time-series') {
      const cut = ds.nSamples - Math.ceil(cv.holdout * ds.nSamples);
      pool = pool.slice(0, cut);
      holdout = Uint32Array.from({ length: ds.nSamples - cut }, (_, i) => cut + i);
    } else if (grouped) {
      ({ pool, holdout } = holdOutGroups(ds.groups as Int32Array, cv.holdout, seed));
    } else {
      const split = trainTestSplit(ds.nSamples, {
        testSize: cv.holdout,
        seed,
        shuffle: true,
        ...(stratify ? { stratify: ds.y } : {}),
      });
      const only = split.folds[0];
      if (!only) throw new Error('cv.holdout: the hold-out split produced no fold');
      pool = only.train;
      holdout = only.test;
    }
  }
  const yPool = Float64Array.from(pool, (i) => ds.y[i] as number);
  const groupsPool = ds.groups ? Int32Array.from(pool, (i) => ds.groups?.[i] as number) : undefined;
  const stratified =
    cv.kind === 'stratified' || cv.kind === 'repeated-stratified' || cv.kind === 'stratified-group';
  const splits = makeSplits(toSelectionCv(cv, seed, stratified && stratify, pool.length), {
    n: pool.length,
    ...(stratify ? { y: yPool } : {}),
    ...(grouped && groupsPool ? { groups: groupsPool } : {}),
  });
  const folds = splits.folds.map((f) => ({
    train: mapThrough(pool, f.train),
    test: mapThrough(pool, f.test),
  }));
  const hasher = new StableHasher().string(ds.hash).string(splits.hash).indices(holdout);
  for (const f of folds) hasher.indices(f.test);
  const ratio =
    folds.reduce((s, f) => s + f.test.length / Math.max(1, f.train.length), 0) / Math.max(1, folds.length);
  const plan: FoldPlan = { folds, pool, holdout, hash: hasher.hex(), testTrainRatio: ratio };
  cache.set(key, plan);
  for (const k of cache.keys()) {
    if (cache.size <= PLANS_KEPT) break;
    cache.delete(k);
  }
  return plan;
}

function toSelectionCv(
  cv: CvSpec,
  seed: number,
  stratified: boolean,
  n: number,
): Parameters<typeof makeSplits>[0] {
  const onDemand = autoRepeatsMax(cv);
  if (onDemand !== undefined) {
    // Repeats on demand plan every repeat up front (the plan hash covers them all); trials run the first k folds and
    // the search adds later repeats for the candidates it cannot separate.
    return stratified
      ? { kind: 'repeated-stratified', k: cv.k, repeats: onDemand, seed }
      : { kind: 'repeated-kfold', k: cv.k, repeats: onDemand, seed };
  }
  const repeats = typeof cv.repeats === 'number' ? cv.repeats : 1;
  switch (cv.kind) {
    case 'kfold':
    case 'stratified':
      return stratified
        ? { kind: 'stratified', k: cv.k, shuffle: cv.shuffle, seed }
        : { kind: 'kfold', k: cv.k, shuffle: cv.shuffle, seed };
    case 'repeated-kfold':
    case 'repeated-stratified':
      return stratified
        ? { kind: 'repeated-stratified', k: cv.k, repeats, seed }
        : { kind: 'repeated-kfold', k: cv.k, repeats, seed };
    case 'shuffle-split':
      return { kind: 'shuffle-split', nSplits: cv.k, testSize: cv.testSize ?? 0.2, seed };
    case 'group':
      return { kind: 'group', k: cv.k };
    case 'stratified-group':
      return stratified
        ? { kind: 'stratified-group', k: cv.k, shuffle: cv.shuffle, seed }
        : { kind: 'group', k: cv.k };
    case 'time-series':
      return {
        kind: 'time-series',
        nSplits: cv.k,
        ...(cv.gap !== undefined ? { gap: cv.gap } : {}),
        ...(cv.maxTrainSize !== undefined ? { maxTrainSize: cv.maxTrainSize } : {}),
        ...(cv.testSize !== undefined ? { testSize: Math.max(1, Math.floor(cv.testSize * n)) } : {}),
      };
  }
}
