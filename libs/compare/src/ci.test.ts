import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bootstrapCi, meanCi, quantileSorted } from './ci';
import { mulberry32 } from './prng';
import { assertAbsClose, assertRelClose, loadFixture } from './fixtures.testutil';

interface CiCase {
  name: string;
  a: number[];
  meanCi: {
    level: number;
    testTrainRatio: number | null;
    mean: number;
    std: number;
    low: number;
    high: number;
    halfWidth: number;
    halfWidthScipy: number;
  }[];
}
interface BootCase {
  scores: number[];
  seed: number;
  resamples: number;
  level: number;
  mean: number;
  low: number;
  high: number;
  firstDraws: number[];
}

// SciPy's t.ppf (cdflib stdtrit) is itself only ~1e-9 relative accurate, so the reference half-width uses
// an mpmath quantile (1e-12) and SciPy's own half-width is checked to 5e-9.
void test('t-based mean intervals, with and without the Nadeau-Bengio correction, match SciPy and mpmath', () => {
  for (const c of loadFixture<CiCase[]>('paired.json')) {
    for (const ref of c.meanCi) {
      const opts =
        ref.testTrainRatio === null
          ? { level: ref.level }
          : { level: ref.level, testTrainRatio: ref.testTrainRatio };
      const got = meanCi(c.a, opts);
      const what = `${c.name} ${JSON.stringify(opts)}`;
      assertAbsClose(got.mean, ref.mean, 1e-15, `${what} mean`);
      assertRelClose(got.std, ref.std, 1e-12, `${what} std`);
      assertRelClose(got.halfWidth, ref.halfWidth, 1e-12, `${what} halfWidth`);
      assertRelClose(got.halfWidth, ref.halfWidthScipy, 5e-9, `${what} halfWidth vs SciPy`);
      assertAbsClose(got.low, ref.low, 1e-14, `${what} low`);
      assertAbsClose(got.high, ref.high, 1e-14, `${what} high`);
    }
  }
});

void test('the percentile bootstrap reproduces a Python re-implementation of its generator and NumPy percentiles', () => {
  for (const ref of loadFixture<BootCase[]>('bootstrap.json')) {
    assert.equal(mulberry32(ref.seed)(), ref.firstDraws[0]);
    const got = bootstrapCi(ref.scores, { seed: ref.seed, resamples: ref.resamples, level: ref.level });
    assertAbsClose(got.mean, ref.mean, 1e-15, 'mean');
    assertRelClose(got.low, ref.low, 1e-12, `low seed=${ref.seed}`);
    assertRelClose(got.high, ref.high, 1e-12, `high seed=${ref.seed}`);
  }
});

const scores = fc.array(
  fc.integer({ min: 0, max: 10_000 }).map((x) => x / 10_000),
  { minLength: 2, maxLength: 40 },
);

void test('intervals contain the mean and widen with the level and with the correction', () => {
  fc.assert(
    fc.property(scores, fc.double({ min: 0.5, max: 0.98, noNaN: true }), (xs, level) => {
      const ci = meanCi(xs, { level });
      assert.ok(ci.low <= ci.mean && ci.mean <= ci.high);
      const wider = meanCi(xs, { level: level + 0.01 });
      assert.ok(wider.halfWidth >= ci.halfWidth);
      assert.ok(meanCi(xs, { level, testTrainRatio: 0.25 }).halfWidth >= ci.halfWidth);
      const boot = bootstrapCi(xs, { level, resamples: 200, seed: 7 });
      assert.ok(boot.low <= boot.high);
      assert.ok(bootstrapCi(xs, { level: level + 0.01, resamples: 200, seed: 7 }).high >= boot.high);
      assert.deepEqual(bootstrapCi(xs, { level, resamples: 200, seed: 7 }), boot);
    }),
  );
});

void test('quantiles interpolate linearly between order statistics', () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([1, 2, 3, 4], 0), 1);
  assert.equal(quantileSorted([1, 2, 3, 4], 1), 4);
});

void test('interval arguments are checked and named in errors', () => {
  assert.throws(() => meanCi([1]), /^Error: scores: needs at least 2 values/);
  assert.throws(() => meanCi([1, 2], { level: 1 }), /^Error: level: must be strictly between 0 and 1/);
  assert.throws(() => meanCi([1, 2], { testTrainRatio: -0.5 }), /^Error: testTrainRatio/);
  assert.throws(() => bootstrapCi([1, 2], { seed: 1.5 }), /^Error: seed: must be an integer/);
  assert.throws(
    () => bootstrapCi([1, 2], { seed: 1, resamples: 0 }),
    /^Error: resamples: must be a positive integer/,
  );
  assert.throws(
    () => bootstrapCi([1, Infinity], { seed: 1 }),
    /^Error: scores\[1\]: must be a finite number/,
  );
});
