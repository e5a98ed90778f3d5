import { DatasetError, DatasetErrorCode } from './errors';
import { datasetHash } from './hash';
import { gatherLabels, gatherRows } from './preprocess';
import { Task, type Dataset } from './types';

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

function shuffle(a: number[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
}

/** Row indices (ascending) of a deterministic sample of `size` rows: stratified by class for classification (largest-remainder quotas), uniform otherwise. */
export function sampleIndices(
  ds: Pick<Dataset, 'task' | 'nSamples' | 'y' | 'classes'>,
  size: number,
  seed: number,
): Uint32Array {
  if (!Number.isInteger(size) || size <= 0)
    throw new DatasetError(
      DatasetErrorCode.InvalidOption,
      `subset: must be a positive integer (got ${size})`,
    );
  if (!Number.isInteger(seed))
    throw new DatasetError(DatasetErrorCode.InvalidOption, `seed: must be an integer (got ${seed})`);
  const n = ds.nSamples;
  if (size >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const rand = splitmix32(seed);
  const groups: number[][] = [];
  if (ds.task === Task.Classification) {
    for (let i = 0; i < n; i++) {
      const c = ds.y[i] as number;
      (groups[c] ??= []).push(i);
    }
  } else {
    groups.push(Array.from({ length: n }, (_, i) => i));
  }
  const present = groups.map((g) => g ?? []);
  const exact = present.map((g) => (size * g.length) / n);
  const quota = exact.map(Math.floor);
  let left = size - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of order) {
    if (left === 0) break;
    quota[c] = (quota[c] as number) + 1;
    left--;
  }
  const picked: number[] = [];
  present.forEach((g, c) => {
    const copy = g.slice();
    shuffle(copy, rand);
    picked.push(...copy.slice(0, quota[c]));
  });
  return Uint32Array.from(picked.sort((a, b) => a - b));
}

/** A new dataset holding a deterministic (stratified for classification) sample of `size` training rows; the held-out part is kept whole. */
export function subsetDataset(ds: Dataset, size: number, seed: number): Dataset {
  const idx = sampleIndices(ds, size, seed);
  if (idx.length === ds.nSamples) return ds;
  const { name: _name, hash: _hash, ...rest } = ds;
  const content = {
    ...rest,
    nSamples: idx.length,
    X: gatherRows(ds.X, ds.nFeatures, idx),
    y: gatherLabels(ds.y, idx),
  };
  return { name: `${ds.name} (subset ${idx.length}, seed ${seed})`, hash: datasetHash(content), ...content };
}
