import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CvSpec } from '@foldwise/spec';
import { planFolds } from './plan';
import type { LoadedDataset } from './ports';

const cv = (over: Partial<CvSpec>): CvSpec =>
  ({ kind: 'stratified', k: 3, repeats: 1, shuffle: true, ...over }) as CvSpec;

const dataset = (n: number, nGroups: number, seed: number): LoadedDataset => {
  let s = seed >>> 0 || 1;
  const next = (m: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s % m);
  const groups = Int32Array.from({ length: n }, () => next(nGroups));
  for (let g = 0; g < nGroups; g++) groups[g] = g;
  return {
    hash: `h${n}-${nGroups}-${seed}`,
    task: 'classification',
    nSamples: n,
    nFeatures: 1,
    X: new Float32Array(n),
    y: Float64Array.from({ length: n }, (_, i) => i % 2),
    classes: [0, 1],
    groups,
  };
};

const setOf = (a: Uint32Array, groups: Int32Array) => new Set(Array.from(a, (i) => groups[i]));

test('group and stratified-group folds never split a group, cover every pool sample once, and hold out whole groups', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 40, max: 200 }),
      fc.integer({ min: 6, max: 20 }),
      fc.integer({ min: 0, max: 1e6 }),
      fc.constantFrom('group' as const, 'stratified-group' as const),
      fc.option(fc.constantFrom(0.1, 0.25), { nil: undefined }),
      (n, nGroups, seed, kind, holdout) => {
        const ds = dataset(n, nGroups, seed);
        const groups = ds.groups as Int32Array;
        const plan = planFolds(ds, cv({ kind, ...(holdout ? { holdout } : {}) }), seed);
        const held = setOf(plan.holdout, groups);
        assert.equal(plan.pool.length + plan.holdout.length, n);
        for (const g of setOf(plan.pool, groups))
          assert.ok(!held.has(g), `group ${g} is both held out and in the pool`);
        const seen = new Map<number, number>();
        for (const f of plan.folds) {
          const tested = setOf(f.test, groups);
          for (const g of setOf(f.train, groups)) assert.ok(!tested.has(g), `group ${g} straddles a fold`);
          for (const i of f.test) seen.set(i, (seen.get(i) ?? 0) + 1);
        }
        assert.equal(seen.size, plan.pool.length, 'every pool sample is validated');
        assert.ok(
          [...seen.values()].every((c) => c === 1),
          'exactly once',
        );
      },
    ),
    { numRuns: 60 },
  );
});

test('time-series folds train only on the past, leave the gap out, and hold out the last samples', () => {
  const ds = { ...dataset(100, 5, 1), hash: 'ts' };
  const plan = planFolds(ds, cv({ kind: 'time-series', k: 4, gap: 3, maxTrainSize: 30, holdout: 0.2 }), 0);
  assert.deepEqual(
    Array.from(plan.holdout),
    Array.from({ length: 20 }, (_, i) => 80 + i),
  );
  assert.equal(plan.folds.length, 4);
  for (const f of plan.folds) {
    const lastTrain = Math.max(...f.train);
    assert.equal(Math.min(...f.test) - lastTrain - 1, 3, 'three samples of gap');
    assert.ok(f.train.length <= 30);
    assert.ok(Math.max(...f.test) < 80);
  }
});

test('a group kind on data without groups is refused with what to add', () => {
  const { groups: _none, ...plain } = dataset(50, 5, 2);
  assert.throws(
    () => planFolds({ ...plain, hash: 'plain' }, cv({ kind: 'group' }), 0),
    /group needs the dataset's groups column \(dataset.groups\)/,
  );
});

test('repeats on demand plan every repeat up front: each repeat of k folds validates every pool sample once, and shuffles anew', () => {
  const ds = dataset(60, 6, 3);
  const plan = planFolds(ds, cv({ k: 3, repeats: { auto: true, max: 4 } }), 11);
  assert.equal(plan.folds.length, 12);
  const repeatsSeen: string[] = [];
  for (let r = 0; r < 4; r++) {
    const tests = plan.folds.slice(r * 3, r * 3 + 3).flatMap((f) => Array.from(f.test));
    assert.deepEqual(
      [...tests].sort((a, b) => a - b),
      Array.from(plan.pool),
      `repeat ${r} validates every sample exactly once`,
    );
    repeatsSeen.push(JSON.stringify(plan.folds.slice(r * 3, r * 3 + 3).map((f) => Array.from(f.test))));
  }
  assert.equal(new Set(repeatsSeen).size, 4, 'each repeat is a new shuffle');
  const again = planFolds(
    { ...ds, hash: `${ds.hash}-copy` },
    cv({ k: 3, repeats: { auto: true, max: 4 } }),
    11,
  );
  assert.deepEqual(
    again.folds.map((f) => Array.from(f.test)),
    plan.folds.map((f) => Array.from(f.test)),
    'the same inputs plan the same folds',
  );
  const fewer = planFolds(ds, cv({ k: 3, repeats: { auto: true, max: 2 } }), 11);
  assert.notEqual(fewer.hash, plan.hash, 'the plan hash covers every planned repeat');
});
