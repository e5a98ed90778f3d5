import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  groupKFold,
  hashPlan,
  kFold,
  makeSplits,
  nestedCv,
  repeatedKFold,
  repeatedStratifiedKFold,
  shuffleSplit,
  stratifiedGroupKFold,
  stratifiedKFold,
  timeSeriesSplit,
  trainTestSplit,
  type CvSpec,
  type Fold,
  type SplitPlan,
} from './index';
import { repeatSeed } from './kfold';

const seedArb = fc.integer({ min: 0, max: 0xffffffff });

function isAscending(xs: Uint32Array): boolean {
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) <= (xs[i - 1] as number)) return false;
  return true;
}

function assertTrainTestDisjoint(fold: Fold, n: number, complete: boolean): void {
  assert.ok(isAscending(fold.train) && isAscending(fold.test), 'indices ascending');
  const seen = new Uint8Array(n);
  for (const i of fold.test) seen[i] = 1;
  for (const i of fold.train) {
    assert.ok(i < n, `index ${i} < n`);
    assert.equal(seen[i], 0, `sample ${i} in both train and test`);
    seen[i] = 2;
  }
  if (complete) assert.equal(fold.train.length + fold.test.length, n, 'train ∪ test is every sample');
}

function assertEachTestedOnce(plan: SplitPlan, k: number, repeats = 1): void {
  assert.equal(plan.folds.length, k * repeats);
  for (let r = 0; r < repeats; r++) {
    const times = new Uint32Array(plan.nSamples);
    const folds = plan.folds.filter((f) => (f.repeat ?? 0) === r);
    assert.deepEqual(
      folds.map((f) => f.fold),
      Array.from({ length: k }, (_, f) => f),
    );
    for (const fold of folds) {
      assertTrainTestDisjoint(fold, plan.nSamples, true);
      for (const i of fold.test) times[i] = (times[i] as number) + 1;
    }
    assert.ok(
      times.every((t) => t === 1),
      `repetition ${r}: every sample tested exactly once`,
    );
  }
}

function samePlan(a: SplitPlan, b: SplitPlan): boolean {
  return (
    a.folds.length === b.folds.length &&
    a.folds.every((f, i) => {
      const g = b.folds[i] as Fold;
      return (
        f.test.length === g.test.length &&
        f.test.every((x, j) => x === g.test[j]) &&
        f.train.every((x, j) => x === g.train[j])
      );
    })
  );
}

const labelsArb = (minPerClass: number) =>
  fc
    .array(fc.integer({ min: minPerClass, max: minPerClass + 25 }), { minLength: 1, maxLength: 5 })
    .chain((counts) => {
      const y = counts.flatMap((c, cls) => Array.from({ length: c }, () => cls * 3 - 2));
      return fc.shuffledSubarray(y, { minLength: y.length, maxLength: y.length });
    });

function classCounts(y: ArrayLike<number | string>, at?: Uint32Array): Map<number | string, number> {
  const m = new Map<number | string, number>();
  const idx = at ?? Uint32Array.from({ length: y.length }, (_, i) => i);
  for (const i of idx) m.set(y[i] as number | string, (m.get(y[i] as number | string) ?? 0) + 1);
  return m;
}

test('kFold tests every sample exactly once, with fold sizes that differ by at most one', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 12 }),
      fc.integer({ min: 0, max: 200 }),
      fc.boolean(),
      seedArb,
      (k, extra, shuffle, seed) => {
        const n = k + extra;
        const plan = shuffle ? kFold(n, { k, shuffle, seed }) : kFold(n, { k });
        assertEachTestedOnce(plan, k);
        const sizes = plan.folds.map((f) => f.test.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
        assert.equal(plan.nSamples, n);
      },
    ),
  );
});

test('repeatedKFold gives each repetition a full partition, and repetition r is kFold with the derived seed', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 6 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 1, max: 4 }),
      seedArb,
      (k, extra, repeats, seed) => {
        const n = k + extra;
        const plan = repeatedKFold(n, { k, repeats, seed });
        assertEachTestedOnce(plan, k, repeats);
        const last = kFold(n, { k, shuffle: true, seed: repeatSeed(seed, repeats - 1) });
        const lastRepeat = plan.folds.filter((f) => f.repeat === repeats - 1);
        lastRepeat.forEach((f, i) => assert.deepEqual(f.test, last.folds[i]?.test));
      },
    ),
  );
});

test('stratifiedKFold keeps every class within one sample of its exact share in each fold', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 6 }), fc.boolean(), seedArb, (k, shuffle, seed) =>
      fc.assert(
        fc.property(labelsArb(k), (y) => {
          const plan = shuffle ? stratifiedKFold(y, { k, shuffle, seed }) : stratifiedKFold(y, { k });
          assertEachTestedOnce(plan, k);
          const totals = classCounts(y);
          for (const fold of plan.folds) {
            const inFold = classCounts(y, fold.test);
            for (const [cls, total] of totals) {
              assert.ok(
                Math.abs((inFold.get(cls) ?? 0) - total / k) < 1,
                `class ${cls}: ${inFold.get(cls) ?? 0} vs ${total / k}`,
              );
            }
          }
        }),
        { numRuns: 5 },
      ),
    ),
    { numRuns: 30 },
  );
});

test('repeatedStratifiedKFold partitions every repetition and stays stratified', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 3 }), seedArb, (k, repeats, seed) =>
      fc.assert(
        fc.property(labelsArb(k), (y) => {
          const plan = repeatedStratifiedKFold(y, { k, repeats, seed });
          assertEachTestedOnce(plan, k, repeats);
          const totals = classCounts(y);
          for (const fold of plan.folds) {
            const inFold = classCounts(y, fold.test);
            for (const [cls, total] of totals) assert.ok(Math.abs((inFold.get(cls) ?? 0) - total / k) < 1);
          }
        }),
        { numRuns: 3 },
      ),
    ),
    { numRuns: 20 },
  );
});

const groupsArb = fc
  .array(fc.integer({ min: 0, max: 30 }), { minLength: 2, maxLength: 150 })
  .filter((g) => new Set(g).size >= 2);

function assertGroupsWhole(plan: SplitPlan, groups: ArrayLike<number | string>): void {
  const foldOf = new Map<number | string, number>();
  for (const fold of plan.folds) {
    for (const i of fold.test) {
      const g = groups[i] as number | string;
      const previous = foldOf.get(g);
      assert.ok(
        previous === undefined || previous === fold.fold,
        `group ${g} straddles folds ${previous} and ${fold.fold}`,
      );
      foldOf.set(g, fold.fold);
    }
  }
}

test('groupKFold never splits a group across test folds and tests every sample once', () => {
  fc.assert(
    fc.property(groupsArb, fc.integer({ min: 2, max: 8 }), (groups, kWanted) => {
      const k = Math.min(kWanted, new Set(groups).size);
      const plan = groupKFold(groups, { k });
      assertEachTestedOnce(plan, k);
      assertGroupsWhole(plan, groups);
    }),
  );
});

test('stratifiedGroupKFold never splits a group and tests every sample once, shuffled or not', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 4 }), fc.boolean(), seedArb, (k, shuffle, seed) =>
      fc.assert(
        fc.property(labelsArb(k), fc.integer({ min: 0, max: 0xffff }), (y, salt) => {
          const groups = y.map((_, i) => ((i * 7919 + salt) % (3 * k)) + 1);
          fc.pre(new Set(groups).size >= k);
          const plan = shuffle
            ? stratifiedGroupKFold(y, groups, { k, shuffle, seed })
            : stratifiedGroupKFold(y, groups, { k });
          assertEachTestedOnce(plan, k);
          assertGroupsWhole(plan, groups);
        }),
        { numRuns: 4 },
      ),
    ),
    { numRuns: 25 },
  );
});

test('timeSeriesSplit trains only on the past, leaves the gap, and caps the training window', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 0, max: 5 }),
      fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
      fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
      fc.integer({ min: 0, max: 120 }),
      (nSplits, gap, maxTrainSize, testSize, extra) => {
        const n = Math.max(nSplits + 1, gap + (testSize ?? 1) * nSplits + 1) + extra;
        const expectedTest = testSize ?? Math.floor(n / (nSplits + 1));
        fc.pre(n - gap - expectedTest * nSplits > 0);
        const options = {
          nSplits,
          gap,
          ...(maxTrainSize === undefined ? {} : { maxTrainSize }),
          ...(testSize === undefined ? {} : { testSize }),
        };
        const plan = timeSeriesSplit(n, options);
        assert.equal(plan.folds.length, nSplits);
        plan.folds.forEach((fold, s) => {
          assertTrainTestDisjoint(fold, n, false);
          assert.equal(fold.test.length, expectedTest);
          assert.ok(fold.train.length >= 1);
          assert.equal(
            (fold.test[0] as number) - (fold.train[fold.train.length - 1] as number) - 1,
            gap,
            'gap between train and test',
          );
          if (maxTrainSize !== undefined) assert.ok(fold.train.length <= maxTrainSize);
          else assert.equal(fold.train[0], 0);
          if (s > 0)
            assert.equal(
              fold.test[0],
              (plan.folds[s - 1]?.test.at(-1) as number) + 1,
              'test blocks are consecutive',
            );
        });
        assert.equal(plan.folds.at(-1)?.test.at(-1), n - 1);
      },
    ),
  );
});

test('shuffleSplit draws disjoint train and test sets of the requested sizes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 4, max: 300 }),
      fc.double({ min: 0.05, max: 0.6, noNaN: true }),
      fc.boolean(),
      seedArb,
      (n, testSize, withTrain, seed) => {
        const trainSize = withTrain ? 0.3 : undefined;
        const plan = shuffleSplit(n, {
          nSplits: 3,
          testSize,
          seed,
          ...(trainSize === undefined ? {} : { trainSize }),
        });
        for (const fold of plan.folds) {
          assertTrainTestDisjoint(fold, n, trainSize === undefined);
          assert.equal(fold.test.length, Math.ceil(testSize * n));
          assert.equal(
            fold.train.length,
            trainSize === undefined ? n - Math.ceil(testSize * n) : Math.floor(trainSize * n),
          );
        }
      },
    ),
  );
});

test('trainTestSplit with stratify keeps each class within one sample of its exact share', () => {
  fc.assert(
    fc.property(
      labelsArb(2),
      fc.double({ min: 0.1, max: 0.5, noNaN: true }),
      seedArb,
      (y, testSize, seed) => {
        const classes = new Set(y).size;
        const nTest = Math.ceil(testSize * y.length);
        fc.pre(nTest >= classes && y.length - nTest >= classes);
        const plan = trainTestSplit(y.length, { testSize, stratify: y, seed });
        const fold = plan.folds[0] as Fold;
        assertTrainTestDisjoint(fold, y.length, true);
        assert.equal(fold.test.length, nTest);
        const inTest = classCounts(y, fold.test);
        for (const [cls, total] of classCounts(y)) {
          assert.ok(Math.abs((inTest.get(cls) ?? 0) - (total * nTest) / y.length) < 1);
        }
      },
    ),
  );
});

test('an unshuffled trainTestSplit holds out the last samples', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 500 }), fc.integer({ min: 1, max: 499 }), seedArb, (n, t, seed) => {
      fc.pre(t < n);
      const fold = trainTestSplit(n, { testSize: t, shuffle: false, seed }).folds[0] as Fold;
      assert.deepEqual(
        Array.from(fold.test),
        Array.from({ length: t }, (_, i) => n - t + i),
      );
      assertTrainTestDisjoint(fold, n, true);
    }),
  );
});

test('nestedCv inner folds partition each outer training set and never touch its test set', () => {
  fc.assert(
    fc.property(labelsArb(6), seedArb, (y, seed) => {
      const plan = nestedCv(y, {
        outer: { kind: 'stratified', k: 3, shuffle: true, seed },
        inner: { kind: 'kfold', k: 2, shuffle: true, seed },
      });
      assert.equal(plan.inner.length, 3);
      plan.outer.folds.forEach((outerFold, i) => {
        const inner = plan.inner[i] as SplitPlan;
        const inOuterTrain = new Uint8Array(y.length);
        for (const x of outerFold.train) inOuterTrain[x] = 1;
        const times = new Uint32Array(y.length);
        for (const fold of inner.folds) {
          assert.ok(isAscending(fold.train) && isAscending(fold.test));
          for (const x of fold.train) assert.equal(inOuterTrain[x], 1, 'inner train inside outer train');
          for (const x of fold.test) {
            assert.equal(inOuterTrain[x], 1, 'inner test inside outer train');
            times[x] = (times[x] as number) + 1;
          }
          assert.equal(fold.train.length + fold.test.length, outerFold.train.length);
        }
        for (const x of outerFold.train) assert.equal(times[x], 1);
      });
    }),
  );
});

const seededSpecs: ((seed: number) => CvSpec)[] = [
  (seed) => ({ kind: 'kfold', k: 4, shuffle: true, seed }),
  (seed) => ({ kind: 'stratified', k: 3, shuffle: true, seed }),
  (seed) => ({ kind: 'repeated-kfold', k: 3, repeats: 2, seed }),
  (seed) => ({ kind: 'repeated-stratified', k: 3, repeats: 2, seed }),
  (seed) => ({ kind: 'stratified-group', k: 3, shuffle: true, seed }),
  (seed) => ({ kind: 'shuffle-split', nSplits: 2, testSize: 0.25, seed }),
  (seed) => ({ kind: 'holdout', testSize: 0.3, seed, stratify: true }),
];

const dataArb = labelsArb(12).map((y) => ({ n: y.length, y, groups: y.map((_, i) => i % 9) }));
const largerDataArb = labelsArb(30).map((y) => ({ n: y.length, y, groups: y.map((_, i) => i % 30) }));

test('the same seed gives the same plan and hash, even after a JSON round trip of the spec', () => {
  fc.assert(
    fc.property(fc.constantFrom(...seededSpecs), dataArb, seedArb, (spec, data, seed) => {
      const a = makeSplits(spec(seed), data);
      const b = makeSplits(JSON.parse(JSON.stringify(spec(seed))) as CvSpec, data);
      assert.equal(a.hash, b.hash);
      assert.ok(samePlan(a, b));
    }),
    { numRuns: 60 },
  );
});

test('a different seed gives a different plan', () => {
  fc.assert(
    fc.property(fc.constantFrom(...seededSpecs), largerDataArb, seedArb, seedArb, (spec, data, s1, s2) => {
      fc.pre(s1 !== s2);
      const a = makeSplits(spec(s1), data);
      const b = makeSplits(spec(s2), data);
      assert.notEqual(a.hash, b.hash);
      assert.ok(!samePlan(a, b), 'folds differ');
    }),
    { numRuns: 60 },
  );
});

test('changing any single index of any fold changes the hash', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 6 }),
      fc.integer({ min: 0, max: 80 }),
      fc.nat(),
      fc.nat(),
      fc.boolean(),
      fc.integer({ min: 1, max: 0xffffffff }),
      (k, extra, foldPick, indexPick, inTrain, delta) => {
        const n = k + extra;
        const plan = kFold(n, { k });
        const options = { k };
        const original = hashPlan(plan.kind, options, n, plan.folds);
        const folds = plan.folds.map((f) => ({ ...f, train: f.train.slice(), test: f.test.slice() }));
        const target = folds[foldPick % k] as Fold;
        const arr = inTrain && target.train.length > 0 ? target.train : target.test;
        const at = indexPick % arr.length;
        arr[at] = ((arr[at] as number) + delta) >>> 0;
        assert.notEqual(hashPlan(plan.kind, options, n, folds), original);
      },
    ),
  );
});

test('makeSplits resolves each kind to the same plan as calling the splitter directly', () => {
  const y = Array.from({ length: 60 }, (_, i) => (i * 7) % 3);
  const groups = Array.from({ length: 60 }, (_, i) => i % 10);
  const data = { n: 60, y, groups };
  const pairs: [CvSpec, SplitPlan][] = [
    [{ kind: 'kfold', k: 5 }, kFold(60, { k: 5 })],
    [
      { kind: 'stratified', k: 4, shuffle: true, seed: 9 },
      stratifiedKFold(y, { k: 4, shuffle: true, seed: 9 }),
    ],
    [{ kind: 'repeated-kfold', k: 3, repeats: 2, seed: 1 }, repeatedKFold(60, { k: 3, repeats: 2, seed: 1 })],
    [
      { kind: 'repeated-stratified', k: 3, repeats: 2, seed: 1 },
      repeatedStratifiedKFold(y, { k: 3, repeats: 2, seed: 1 }),
    ],
    [{ kind: 'group', k: 4 }, groupKFold(groups, { k: 4 })],
    [{ kind: 'stratified-group', k: 3 }, stratifiedGroupKFold(y, groups, { k: 3 })],
    [{ kind: 'time-series', nSplits: 3, gap: 1 }, timeSeriesSplit(60, { nSplits: 3, gap: 1 })],
    [
      { kind: 'shuffle-split', nSplits: 2, testSize: 0.2, seed: 4 },
      shuffleSplit(60, { nSplits: 2, testSize: 0.2, seed: 4 }),
    ],
    [
      { kind: 'holdout', testSize: 0.25, stratify: true, seed: 2 },
      trainTestSplit(60, { testSize: 0.25, stratify: y, seed: 2 }),
    ],
  ];
  const hashes = new Set<string>();
  for (const [spec, direct] of pairs) {
    const plan = makeSplits(spec, data);
    assert.equal(plan.kind, spec.kind);
    assert.equal(plan.hash, direct.hash, spec.kind);
    assert.ok(samePlan(plan, direct), spec.kind);
    hashes.add(plan.hash);
  }
  assert.equal(hashes.size, pairs.length, 'every scheme hashes differently');
});

test('impossible requests fail with a message that names the field and what to change', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => kFold(10, { k: 1 }), /^k: must be an integer ≥ 2 \(got 1\)/],
    [() => kFold(3, { k: 5 }), /^k: 5 folds need at least 5 samples \(got 3\); lower k to at most 3/],
    [() => kFold(10.5, { k: 2 }), /^n: must be a non-negative integer number of samples \(got 10\.5\)/],
    [() => kFold(10, { k: 2, shuffle: true }), /^seed: required when shuffle is true/],
    [() => kFold(10, { k: 2, seed: 3 }), /^seed: has no effect unless shuffle is true/],
    [
      () => stratifiedKFold(['a', 'a', 'a', 'b', 'b', 'c', 'c', 'c'], { k: 3 }),
      /^y: class "b" has only 2 members, fewer than k=3; lower k to at most 2/,
    ],
    [
      () => stratifiedKFold([1, 1, 1, 2, 2, 2, 3], { k: 2 }),
      /^y: class 3 has only 1 member, fewer than k=2; remove or merge that class/,
    ],
    [() => stratifiedKFold([1, 'a', 1, 'a'], { k: 2 }), /^y\[1\]: labels mix numbers and strings/],
    [() => stratifiedKFold([1, NaN, 1, 2], { k: 2 }), /^y\[1\]: labels must be finite/],
    [
      () => groupKFold([1, 1, 2, 2, 3, 3], { k: 4 }),
      /^groups: 3 distinct groups, fewer than k=4; lower k to at most 3/,
    ],
    [() => groupKFold(['g', 'g', 'g', 'g'], { k: 2 }), /^groups: every sample is in one group/],
    [
      () => stratifiedGroupKFold([0, 1, 0, 1], [1, 1, 2], { k: 2 }),
      /^groups: has 3 entries but there are 4 samples/,
    ],
    [() => timeSeriesSplit(5, { nSplits: 5 }), /^nSplits: 5 splits need at least 6 samples \(got 5\)/],
    [
      () => timeSeriesSplit(10, { nSplits: 3, testSize: 3, gap: 1 }),
      /^nSplits: 3 test blocks of 3 samples plus a gap of 1 leave no training samples/,
    ],
    [
      () => shuffleSplit(10, { nSplits: 2, testSize: 1.5, seed: 1 }),
      /^testSize: must be a fraction in \(0, 1\) or a whole number of samples in \[1, 9\] \(got 1\.5\)/,
    ],
    [() => shuffleSplit(10, { nSplits: 2, testSize: 0, seed: 1 }), /^testSize: must be a fraction/],
    [() => shuffleSplit(10, { nSplits: 2, testSize: 10, seed: 1 }), /^testSize: must be a fraction/],
    [
      () => shuffleSplit(10, { nSplits: 2, testSize: 0.6, trainSize: 0.6, seed: 1 }),
      /^trainSize: testSize \+ trainSize = 1\.2 exceeds 1/,
    ],
    [
      () => trainTestSplit(6, { testSize: 0.5, stratify: [1, 1, 1, 2, 2, 3], seed: 1 }),
      /^stratify: class 3 has only 1 member/,
    ],
    [
      () => trainTestSplit(6, { testSize: 0.5, stratify: [1, 1, 1, 2, 2, 2], seed: 1, shuffle: false }),
      /^stratify: a stratified split must shuffle/,
    ],
    [
      () => makeSplits({ kind: 'kfolds', k: 3 } as unknown as CvSpec, { n: 10 }),
      /^cv\.kind: unknown cv kind "kfolds" \(expected one of kfold, /,
    ],
    [
      () => makeSplits({ kind: 'kfold', k: 3, repeats: 2 } as unknown as CvSpec, { n: 10 }),
      /^cv\.repeats: not an option of cv kind 'kfold'/,
    ],
    [() => makeSplits({ kind: 'stratified', k: 3 }, { n: 10 }), /^y: required for cv kind 'stratified'/],
    [
      () => makeSplits({ kind: 'group', k: 3 }, { n: 4, groups: [1, 2, 3] }),
      /^groups: has 3 entries but there are 4 samples/,
    ],
  ];
  for (const [run, message] of cases) assert.throws(run, { message });
});

test('the examples in the doc comments hold (expected folds printed by scikit-learn 1.2)', () => {
  const tests = (plan: SplitPlan) => plan.folds.map((f) => Array.from(f.test));
  const ten = kFold(10, { k: 3 });
  assert.deepEqual(Array.from(ten.folds[0]?.test ?? []), [0, 1, 2, 3]);
  assert.deepEqual(Array.from(ten.folds[1]?.train ?? []), [0, 1, 2, 3, 7, 8, 9]);
  assert.deepEqual(tests(stratifiedKFold(['a', 'a', 'a', 'b', 'b', 'b'], { k: 3 })), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(tests(groupKFold(['u1', 'u1', 'u2', 'u3', 'u3', 'u3'], { k: 2 })), [
    [3, 4, 5],
    [0, 1, 2],
  ]);
  assert.deepEqual(
    timeSeriesSplit(12, { nSplits: 3, testSize: 2, gap: 2 }).folds.map((f) => [
      Array.from(f.train),
      Array.from(f.test),
    ]),
    [
      [
        [0, 1, 2, 3],
        [6, 7],
      ],
      [
        [0, 1, 2, 3, 4, 5],
        [8, 9],
      ],
      [
        [0, 1, 2, 3, 4, 5, 6, 7],
        [10, 11],
      ],
    ],
  );
  assert.deepEqual(
    Array.from(trainTestSplit(6, { testSize: 2, shuffle: false, seed: 0 }).folds[0]?.test ?? []),
    [4, 5],
  );
  assert.equal(repeatedKFold(100, { k: 5, repeats: 3, seed: 7 }).folds.length, 15);
  assert.equal(shuffleSplit(100, { nSplits: 10, testSize: 0.2, seed: 3 }).folds[0]?.test.length, 20);
  assert.equal(trainTestSplit(10, { testSize: 0.3, seed: 1 }).folds[0]?.test.length, 3);
});
