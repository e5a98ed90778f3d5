import * as fs from 'node:fs';
import * as path from 'node:path';

/** A CSV dataset read as float features and numeric targets (last column). */
export interface Dataset {
  x: Float32Array;
  y: Float64Array;
  n: number;
  nFeatures: number;
  nClasses: number;
  file: string;
}

/** Reads digits (or another reference CSV), preferring the copy in libs/datasets/data. */
export function loadCsv(name: string, scale = 1): Dataset {
  const root = path.resolve(__dirname, '../../..');
  const candidates = [path.join(root, 'libs/datasets/data', name), path.join('/work/shared/datasets', name)];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new Error(`dataset: ${name} not found in ${candidates.join(' or ')}`);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const nFeatures = lines[0]!.split(',').length - 1;
  const x = new Float32Array(lines.length * nFeatures);
  const y = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(',').map(Number);
    for (let j = 0; j < nFeatures; j++) x[i * nFeatures + j] = cells[j]! / scale;
    y[i] = cells[nFeatures]!;
  });
  return { x, y, n: lines.length, nFeatures, nClasses: Math.max(...y) + 1, file };
}

/** Splits rows into k interleaved folds: fold f validates on rows i with i % k === f. */
export function foldOf(d: Dataset, k: number, f: number) {
  const tr: number[] = [];
  const va: number[] = [];
  for (let i = 0; i < d.n; i++) (i % k === f ? va : tr).push(i);
  const take = (rows: number[]) => {
    const x = new Float32Array(rows.length * d.nFeatures);
    const y = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      x.set(d.x.subarray(r * d.nFeatures, (r + 1) * d.nFeatures), i * d.nFeatures);
      y[i] = d.y[r]!;
    });
    return { x, y };
  };
  const a = take(tr);
  const b = take(va);
  return { xTrain: a.x, yTrain: a.y, xVal: b.x, yVal: b.y };
}
