import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv } from './tabular';
import { validateForCv } from './validate';

function dataset(labels: string[]): ReturnType<typeof parseCsv> {
  return parseCsv(['x,y', ...labels.map((l, i) => `${i},${l}`)].join('\n'), {
    target: 'y',
    task: 'classification',
  });
}

test('a dataset with fewer samples than folds is refused', () => {
  assert.deepEqual(validateForCv(dataset(['a', 'b', 'a', 'b']), { k: 5, stratified: false }), [
    'fewer samples (4) than folds (5)',
  ]);
});

test('stratified folds need every class to have at least k members', () => {
  const ds = dataset(['setosa', 'setosa', ...Array<string>(6).fill('virginica')]);
  assert.deepEqual(validateForCv(ds, { k: 5, stratified: true }), [
    "class 'setosa' has 2 members, fewer than k=5 folds",
  ]);
  assert.deepEqual(validateForCv(ds, { k: 5, stratified: false }), []);
  assert.deepEqual(validateForCv(ds, { k: 2, stratified: true }), []);
});

test('stratification of a regression target and a bad k are refused', () => {
  const reg = parseCsv('x,y\n1,0.5\n2,1.5\n3,2.5\n', { target: 'y' });
  assert.deepEqual(validateForCv(reg, { k: 2, stratified: true }), [
    "stratified folds need a classification task; 'csv' is regression",
  ]);
  assert.deepEqual(validateForCv(reg, { k: 1, stratified: false }), ['k: must be an integer ≥ 2 (got 1)']);
});
