import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  groupKFold,
  kFold,
  stratifiedGroupKFold,
  stratifiedKFold,
  timeSeriesSplit,
  type SplitPlan,
  type TimeSeriesSplitOptions,
} from './index';
import { numpyArgsort, numpyStd, numpySum } from './numpy-compat';
import { resolveSizes } from './shuffle';

interface RefFold {
  train: number[];
  test: number[];
}
interface Fixtures {
  sklearn: string;
  kfold: { n: number; k: number; folds: RefFold[] }[];
  stratified: { name: string; y: (number | string)[]; k: number; folds: RefFold[] }[];
  group: { name: string; groups: (number | string)[]; k: number; folds: RefFold[] }[];
  stratifiedGroup: {
    name: string;
    y: (number | string)[];
    groups: (number | string)[];
    k: number;
    folds: RefFold[];
  }[];
  timeSeries: { n: number; options: TimeSeriesSplitOptions; folds: RefFold[] }[];
  argsort: { values: number[]; order: number[] }[];
  sums: { values: number[]; sum: number; std: number }[];
  shuffleSizes: { n: number; testSize: number; trainSize?: number; nTrain: number; nTest: number }[];
}

const fixtures = JSON.parse(
  readFileSync(join(__dirname, '../../../../test/reference/splits/fixtures.json'), 'utf8'),
) as Fixtures;

function assertSameFolds(plan: SplitPlan, expected: RefFold[], label: string): void {
  assert.equal(plan.folds.length, expected.length, `${label}: fold count`);
  plan.folds.forEach((fold, f) => {
    assert.deepEqual(Array.from(fold.test), expected[f]?.test, `${label}: test of fold ${f}`);
    assert.deepEqual(Array.from(fold.train), expected[f]?.train, `${label}: train of fold ${f}`);
  });
}

test('the fixtures were produced by scikit-learn 1.2 and cover every splitter', () => {
  assert.match(fixtures.sklearn, /^1\.2\./);
  for (const key of ['kfold', 'stratified', 'group', 'stratifiedGroup', 'timeSeries'] as const)
    assert.ok(fixtures[key].length > 5, key);
});

test('unshuffled kFold equals scikit-learn KFold for every recorded n and k', () => {
  for (const c of fixtures.kfold) assertSameFolds(kFold(c.n, { k: c.k }), c.folds, `n=${c.n} k=${c.k}`);
});

test('unshuffled stratifiedKFold equals scikit-learn 1.2 StratifiedKFold in fold sizes and membership', () => {
  for (const c of fixtures.stratified)
    assertSameFolds(stratifiedKFold(c.y, { k: c.k }), c.folds, `${c.name} k=${c.k}`);
});

test('groupKFold equals scikit-learn 1.2 GroupKFold, including its tie order between equal-sized groups', () => {
  for (const c of fixtures.group)
    assertSameFolds(groupKFold(c.groups, { k: c.k }), c.folds, `${c.name} k=${c.k}`);
});

test('unshuffled stratifiedGroupKFold equals scikit-learn 1.2 StratifiedGroupKFold', () => {
  for (const c of fixtures.stratifiedGroup) {
    assertSameFolds(stratifiedGroupKFold(c.y, c.groups, { k: c.k }), c.folds, `${c.name} k=${c.k}`);
  }
});

test('timeSeriesSplit equals scikit-learn TimeSeriesSplit with gap, test size and maximum train size', () => {
  for (const c of fixtures.timeSeries)
    assertSameFolds(timeSeriesSplit(c.n, c.options), c.folds, `n=${c.n} ${JSON.stringify(c.options)}`);
});

test('numpyArgsort leaves ties in the order numpy 1.24 argsort does, also on adversarial input that forces its heapsort fallback', () => {
  for (const c of fixtures.argsort)
    assert.deepEqual(Array.from(numpyArgsort(c.values)), c.order, `${c.values.length} values`);
});

test('numpySum and numpyStd reproduce numpy to the last bit, including pairwise blocks', () => {
  for (const c of fixtures.sums) {
    assert.equal(numpySum(c.values) + 0, c.sum, `sum of ${c.values.length}`);
    assert.equal(numpyStd(c.values), c.std, `std of ${c.values.length}`);
  }
});

test('shuffle split sizes resolve as scikit-learn resolves fractions and counts', () => {
  for (const c of fixtures.shuffleSizes) {
    assert.deepEqual(
      resolveSizes(c.n, c.testSize, c.trainSize),
      { nTrain: c.nTrain, nTest: c.nTest },
      JSON.stringify(c),
    );
  }
});
