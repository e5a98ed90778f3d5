import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedDataset } from './ports';
import { preprocessFold } from './preprocess';

const images = (imageMax: number | undefined): LoadedDataset => ({
  hash: 'h',
  task: 'classification',
  nSamples: 4,
  nFeatures: 2,
  X: Float32Array.from([0, 16, 8, 4, 16, 0, 2, 12]),
  y: Float64Array.from([0, 1, 0, 1]),
  classes: [0, 1],
  imageShape: [1, 2, 1],
  ...(imageMax !== undefined ? { imageMax } : {}),
});

test("image scaling divides by the dataset's own largest pixel value (digits: 16), not always 255", () => {
  const train = Uint32Array.from([0, 1, 2]);
  const val = Uint32Array.from([3]);
  const digitsLike = preprocessFold(images(16), train, val, undefined);
  assert.deepEqual(Array.from(digitsLike.xTrain), [0, 1, 0.5, 0.25, 1, 0]);
  assert.deepEqual(Array.from(digitsLike.xVal), [0.125, 0.75]);
  const unknown = preprocessFold(images(undefined), train, val, { scale: 'image' });
  assert.ok(Math.abs(unknown.xTrain[1]! - 16 / 255) < 1e-7, 'no declared maximum: 255, as before');
  const standard = preprocessFold(images(16), train, val, { scale: 'standard' });
  const col0 = [0, 2, 4].map((i) => standard.xTrain[i]!);
  assert.ok(Math.abs(col0.reduce((a, b) => a + b, 0)) < 1e-6, 'an explicit scaling still wins');
});
