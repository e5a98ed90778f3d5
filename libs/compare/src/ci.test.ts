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

void test('with a two-sided range the interval stays inside it, contains the mean and is named logit', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 12 }),
      fc.constantFrom(0.8, 0.9, 0.95, 0.99),
      fc.option(fc.double({ min: 0.01, max: 2, noNaN: true }), { nil: undefined }),
      (scores, level, testTrainRatio) => {
        const opts = testTrainRatio === undefined ? { level } : { level, testTrainRatio };
        const ci = meanCi(scores, { ...opts, range: { low: 0, high: 1 } });
        const plain = meanCi(scores, opts);
        assert.ok(ci.low >= 0 && ci.high <= 1, `[${ci.low}, ${ci.high}] leaves [0, 1]`);
        assert.ok(ci.low <= ci.mean + 1e-12 && ci.mean <= ci.high + 1e-12, 'contains the mean');
        assert.equal(ci.method, testTrainRatio === undefined ? 'logit-t' : 'logit-corrected-t');
        assert.equal(ci.mean, plain.mean);
        assert.equal(ci.std, plain.std);
      },
    ),
  );
});

void test('a bounded interval is the t interval when the scores sit far from the bounds', () => {
  const scores = [0.5, 0.5004, 0.4997, 0.5002, 0.4999];
  const plain = meanCi(scores, { testTrainRatio: 0.25 });
  const logit = meanCi(scores, { testTrainRatio: 0.25, range: { low: 0, high: 1 } });
  assert.ok(Math.abs(logit.low - plain.low) < 1e-7 && Math.abs(logit.high - plain.high) < 1e-7);
  // [-1, 1] (MCC, kappa) is the same on its own scale.
  const signed = meanCi(
    scores.map((s) => 2 * s - 1),
    { testTrainRatio: 0.25, range: { low: -1, high: 1 } },
  );
  assert.ok(Math.abs(signed.low - (2 * logit.low - 1)) < 1e-12);
  assert.ok(Math.abs(signed.high - (2 * logit.high - 1)) < 1e-12);
});

void test('near a bound the plain t interval leaves the range and the bounded one does not', () => {
  const f1 = [1, 0.9487, 1, 0.9474];
  const plain = meanCi(f1, { testTrainRatio: 1 / 3 });
  assert.ok(plain.high > 1, 'the t interval crosses 1 (the reason for the bounded one)');
  const bounded = meanCi(f1, { testTrainRatio: 1 / 3, range: { low: 0, high: 1 } });
  assert.ok(bounded.high < 1 && bounded.low > 0);
  const perfect = meanCi([1, 1, 1], { range: { low: 0, high: 1 } });
  assert.deepEqual([perfect.low, perfect.high], [1, 1], 'every fold at the bound: the point interval');
});

void test('a half-bounded range works on the log scale of the distance to its bound', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { minLength: 2, maxLength: 10 }),
      (errors) => {
        const loss = meanCi(errors, { testTrainRatio: 0.25, range: { low: 0, high: Infinity } });
        assert.ok(loss.low >= 0, `loss interval low ${loss.low}`);
        assert.ok(loss.low <= loss.mean + 1e-9 && loss.mean <= loss.high + 1e-9);
        const neg = meanCi(
          errors.map((e) => -e),
          { testTrainRatio: 0.25, range: { low: -Infinity, high: 0 } },
        );
        assert.ok(neg.high <= 0, `negated loss interval high ${neg.high}`);
        assert.ok(Math.abs(neg.low + loss.high) < 1e-9 * (1 + loss.high), 'mirror image');
        assert.equal(loss.method, 'log-corrected-t');
      },
    ),
  );
  const unbounded = meanCi([1, 2, 3], { range: { low: -Infinity, high: Infinity } });
  assert.equal(unbounded.method, 't');
  assert.throws(() => meanCi([1, 2], { range: { low: 1, high: 0 } }), /^Error: range: low must be < high/);
});
