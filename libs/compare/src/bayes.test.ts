import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bayesianCorrelatedTTest } from './bayes';
import { assertAbsClose, assertRelClose, loadFixture } from './fixtures.testutil';

interface BayesCase {
  name: string;
  a: number[];
  b: number[];
  bayes: {
    rope: number;
    testTrainRatio: number;
    pLeft: number;
    pRope: number;
    pRight: number;
    mean: number;
    scale: number;
    df: number;
  }[];
}

const cases = loadFixture<BayesCase[]>('paired.json');

void test('the correlated Bayesian t-test matches the SciPy Student t posterior to 1e-9', () => {
  let compared = 0;
  for (const c of cases) {
    for (const ref of c.bayes) {
      const got = bayesianCorrelatedTTest(c.a, c.b, { rope: ref.rope, testTrainRatio: ref.testTrainRatio });
      const what = `${c.name} rope=${ref.rope} ratio=${ref.testTrainRatio}`;
      assertAbsClose(got.pLeft, ref.pLeft, 1e-9, `${what} pLeft`);
      assertAbsClose(got.pRope, ref.pRope, 1e-9, `${what} pRope`);
      assertAbsClose(got.pRight, ref.pRight, 1e-9, `${what} pRight`);
      assertRelClose(got.scale, ref.scale, 1e-12, `${what} scale`);
      assertAbsClose(got.mean, ref.mean, 1e-15, `${what} mean`);
      assert.equal(got.df, ref.df);
      compared++;
    }
  }
  assert.ok(compared > 500);
});

const score = fc.integer({ min: 0, max: 10_000 }).map((x) => x / 10_000);
const pairs = fc
  .integer({ min: 3, max: 30 })
  .chain((n) =>
    fc.tuple(
      fc.array(score, { minLength: n, maxLength: n }),
      fc.array(score, { minLength: n, maxLength: n }),
    ),
  );

void test('posterior probabilities sum to one, mirror when a and b swap, and the rope only takes from the sides', () => {
  fc.assert(
    fc.property(pairs, fc.double({ min: 0, max: 0.1, noNaN: true }), ([a, b], rope) => {
      const r = bayesianCorrelatedTTest(a, b, { rope, testTrainRatio: 0.25 });
      const s = bayesianCorrelatedTTest(b, a, { rope, testTrainRatio: 0.25 });
      for (const p of [r.pLeft, r.pRope, r.pRight]) assert.ok(p >= -1e-15 && p <= 1 + 1e-15);
      assertAbsClose(r.pLeft + r.pRope + r.pRight, 1, 1e-12, 'sum');
      assertAbsClose(s.pLeft, r.pRight, 1e-12, 'mirror');
      const wider = bayesianCorrelatedTTest(a, b, { rope: rope + 0.01, testTrainRatio: 0.25 });
      assert.ok(wider.pLeft <= r.pLeft + 1e-15 && wider.pRight <= r.pRight + 1e-15);
    }),
  );
});

void test('equal differences give a point-mass posterior and bad rope or ratio values are rejected by name', () => {
  assert.deepEqual(
    [0, 1, 0],
    (({ pLeft, pRope, pRight }) => [pLeft, pRope, pRight])(
      bayesianCorrelatedTTest([0.5, 0.6], [0.5, 0.6], { rope: 0.01, testTrainRatio: 1 }),
    ),
  );
  const shifted = bayesianCorrelatedTTest([0.75, 0.85], [0.5, 0.6], { rope: 0.01, testTrainRatio: 1 });
  assert.deepEqual([shifted.pLeft, shifted.pRope, shifted.pRight], [0, 0, 1]);
  assert.throws(
    () => bayesianCorrelatedTTest([1, 2], [1, 3], { rope: -0.1, testTrainRatio: 0.2 }),
    /^Error: rope: must be/,
  );
  assert.throws(
    () => bayesianCorrelatedTTest([1, 2], [1, 3], { rope: NaN, testTrainRatio: 0.2 }),
    /^Error: rope: must be/,
  );
  assert.throws(
    () => bayesianCorrelatedTTest([1, 2], [1, 3], { rope: 0.1, testTrainRatio: -1 }),
    /^Error: testTrainRatio: must be/,
  );
  assert.throws(
    () => bayesianCorrelatedTTest([1, 2], [1], { rope: 0.1, testTrainRatio: 1 }),
    /^Error: b: must have the same length/,
  );
});
