import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  correctedResampledTTest,
  pairedTTest,
  wilcoxonExactPmf,
  wilcoxonSignedRank,
  type WilcoxonMode,
  type ZeroMethod,
} from './paired';
import type { Alternative } from './types';
import { friedmanTest } from './friedman';
import { mulberry32 } from './prng';
import { assertAbsClose, assertRelClose, loadFixture } from './fixtures.testutil';

interface TRef {
  statistic: number;
  pValue: number;
  df: number;
  meanDiff: number;
  stdDiff: number;
}
interface PairedCase {
  name: string;
  a: number[];
  b: number[];
  ttest: Record<Alternative, TRef>;
  corrected: {
    testTrainRatio: number;
    alternative: Alternative;
    statistic: number;
    pValue: number;
    df: number;
    meanDiff: number;
  }[];
  wilcoxon: {
    alternative: Alternative;
    zeroMethod: ZeroMethod;
    correction: boolean;
    mode: WilcoxonMode;
    statistic?: number;
    pValue?: number;
    error?: string;
  }[];
}

const cases = loadFixture<PairedCase[]>('paired.json');
const P_TOL = 1e-9;
const S_TOL = 1e-9;

void test('the paired t-test matches scipy.stats.ttest_rel for every case and alternative', () => {
  for (const c of cases) {
    for (const [alt, ref] of Object.entries(c.ttest) as [Alternative, TRef][]) {
      const got = pairedTTest(c.a, c.b, { alternative: alt });
      const what = `${c.name} ${alt}`;
      assertRelClose(got.statistic, ref.statistic, S_TOL, `${what} statistic`);
      assertAbsClose(got.pValue, ref.pValue, P_TOL, `${what} pValue`);
      assertRelClose(got.pValue, ref.pValue, 1e-9, `${what} pValue (relative)`);
      assert.equal(got.df, ref.df);
      assertAbsClose(got.meanDiff, ref.meanDiff, 1e-15, `${what} meanDiff`);
      assertRelClose(got.stdDiff, ref.stdDiff, 1e-12, `${what} stdDiff`);
    }
  }
});

void test('the corrected resampled t-test matches the NumPy/SciPy computation of Nadeau and Bengio', () => {
  for (const c of cases) {
    for (const ref of c.corrected) {
      const got = correctedResampledTTest(c.a, c.b, {
        testTrainRatio: ref.testTrainRatio,
        alternative: ref.alternative,
      });
      const what = `${c.name} ratio=${ref.testTrainRatio} ${ref.alternative}`;
      assertRelClose(got.statistic, ref.statistic, S_TOL, `${what} statistic`);
      assertAbsClose(got.pValue, ref.pValue, P_TOL, `${what} pValue`);
      assertRelClose(got.pValue, ref.pValue, 1e-9, `${what} pValue (relative)`);
      assert.equal(got.df, ref.df);
    }
  }
});

void test('the Wilcoxon signed-rank test matches scipy.stats.wilcoxon 1.10 in every mode, zero method and alternative', () => {
  let compared = 0;
  for (const c of cases) {
    for (const ref of c.wilcoxon) {
      const opts = {
        alternative: ref.alternative,
        zeroMethod: ref.zeroMethod,
        correction: ref.correction,
        mode: ref.mode,
      };
      const got = wilcoxonSignedRank(c.a, c.b, opts);
      const what = `${c.name} ${JSON.stringify(opts)}`;
      if (ref.error !== undefined) {
        assert.deepEqual([got.statistic, got.pValue], [0, 1], `${what}: all-zero differences give 0 and 1`);
        continue;
      }
      assertRelClose(got.statistic, ref.statistic ?? NaN, S_TOL, `${what} statistic`);
      assertAbsClose(got.pValue, ref.pValue ?? NaN, P_TOL, `${what} pValue`);
      assertRelClose(got.pValue, ref.pValue ?? NaN, 1e-9, `${what} pValue (relative)`);
      compared++;
    }
  }
  assert.ok(compared > 1000);
});

void test('tiny p-values keep their relative precision against SciPy', () => {
  let tiny = 0;
  for (const c of cases) {
    const ref = c.ttest['two-sided'];
    if (ref.pValue > 0 && ref.pValue < 1e-8) {
      assertRelClose(pairedTTest(c.a, c.b).pValue, ref.pValue, 1e-9, `${c.name} tiny p`);
      tiny++;
    }
  }
  assert.ok(tiny > 3, `only ${tiny} tiny p-values in the fixtures`);
});

void test('the exact Wilcoxon null distribution sums to one and is symmetric', () => {
  for (const n of [1, 5, 20, 50]) {
    const pmf = wilcoxonExactPmf(n);
    assert.equal(pmf.length, (n * (n + 1)) / 2 + 1);
    assert.equal(
      pmf.reduce((s, x) => s + x, 0),
      1,
    );
    for (let s = 0; s < pmf.length; s++) assert.equal(pmf[s], pmf[pmf.length - 1 - s]);
  }
});

const score = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
  fc.integer({ min: 0, max: 1_000_000 }).map((x) => x / 1_000_000),
);
const pairs = fc
  .integer({ min: 3, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.array(score, { minLength: n, maxLength: n }),
      fc.array(score, { minLength: n, maxLength: n }),
    ),
  );

void test('p-values lie in [0, 1] and swapping a and b flips the statistic and keeps the two-sided p-value', () => {
  fc.assert(
    fc.property(pairs, ([a, b]) => {
      const t = pairedTTest(a, b);
      const ts = pairedTTest(b, a);
      if (!Number.isNaN(t.pValue)) {
        assert.ok(t.pValue >= 0 && t.pValue <= 1);
        assert.equal(ts.statistic, -t.statistic);
        assertAbsClose(ts.pValue, t.pValue, 1e-14, 't swap');
      }
      const c = correctedResampledTTest(a, b, { testTrainRatio: 0.25 });
      const cs = correctedResampledTTest(b, a, { testTrainRatio: 0.25 });
      if (!Number.isNaN(c.pValue)) {
        assert.ok(c.pValue >= t.pValue - 1e-15, 'the correction never makes a test more significant');
        assertAbsClose(cs.pValue, c.pValue, 1e-14, 'corrected swap');
      }
      const w = wilcoxonSignedRank(a, b);
      const ws = wilcoxonSignedRank(b, a);
      assert.ok(w.pValue >= 0 && w.pValue <= 1);
      assertAbsClose(ws.pValue, w.pValue, 1e-14, 'wilcoxon swap');
      assert.equal(ws.rPlus, w.rMinus);
      const g = wilcoxonSignedRank(a, b, { alternative: 'greater', mode: 'approx' });
      const l = wilcoxonSignedRank(a, b, { alternative: 'less', mode: 'approx' });
      if (w.count > 0)
        assertAbsClose(g.pValue + l.pValue, 1, 1e-12, 'one-sided approx p-values are complementary');
    }),
  );
});

void test('degenerate inputs: identical samples give NaN t statistics and a Wilcoxon p-value of one', () => {
  const a = [0.7, 0.8, 0.9];
  assert.ok(Number.isNaN(pairedTTest(a, a).statistic));
  assert.ok(Number.isNaN(correctedResampledTTest(a, a, { testTrainRatio: 0.5 }).pValue));
  assert.deepEqual([wilcoxonSignedRank(a, a).statistic, wilcoxonSignedRank(a, a).pValue], [0, 1]);
  assert.equal(pairedTTest([1.5, 2.5], [1, 2]).pValue, 0);
});

void test('bad arguments are rejected with errors that name them', () => {
  assert.throws(() => pairedTTest([1, 2, 3], [1, 2]), /^Error: b: must have the same length as a/);
  assert.throws(() => pairedTTest([1], [2]), /^Error: a: needs at least 2 values/);
  assert.throws(() => pairedTTest([1, NaN], [2, 3]), /^Error: a\[1\]: must be a finite number/);
  assert.throws(() => wilcoxonSignedRank([1, 2], [2, Infinity]), /^Error: b\[1\]: must be a finite number/);
  assert.throws(
    () => correctedResampledTTest([1, 2], [2, 3], { testTrainRatio: 0 }),
    /^Error: testTrainRatio: must be/,
  );
  assert.throws(
    () => correctedResampledTTest([1, 2], [2, 3], { testTrainRatio: NaN }),
    /^Error: testTrainRatio/,
  );
  assert.throws(
    () => pairedTTest([1, 2], [2, 3], { alternative: 'bigger' as Alternative }),
    /^Error: alternative: must be one of/,
  );
  assert.throws(() => wilcoxonSignedRank([1, 2], [2, 3], { mode: 'fast' as WilcoxonMode }), /^Error: mode:/);
  assert.throws(
    () => wilcoxonSignedRank([1, 2], [2, 3], { zeroMethod: 'drop' as ZeroMethod }),
    /^Error: zeroMethod:/,
  );
});

void test('with testTrainRatio the Wilcoxon and Friedman tests stay at alpha when folds correlate as Nadeau–Bengio assume', () => {
  // 10 folds, exchangeable correlation 1/k between a configuration's fold scores, no true difference.
  const next = mulberry32(99);
  const normal = () =>
    Math.sqrt(-2 * Math.log((next() + 1) / 4294967297)) * Math.cos((2 * Math.PI * next()) / 4294967296);
  const k = 10;
  const rho = 1 / k;
  const ratio = 1 / (k - 1);
  const studies = 2000;
  const hits = { w: 0, wc: 0, f: 0, fc: 0 };
  for (let s = 0; s < studies; s++) {
    const fold = Array.from({ length: k }, () => normal());
    const cands = Array.from({ length: 4 }, () => {
      const g = normal();
      return fold.map((u) => u + Math.sqrt(rho) * g + Math.sqrt(1 - rho) * normal());
    });
    const [a, b] = cands as [number[], number[]];
    if (wilcoxonSignedRank(a, b).pValue < 0.05) hits.w++;
    if (wilcoxonSignedRank(a, b, { testTrainRatio: ratio }).pValue < 0.05) hits.wc++;
    const matrix = Array.from({ length: k }, (_, f) => cands.map((c) => c[f] as number));
    if (friedmanTest(matrix).pValue < 0.05) hits.f++;
    if (friedmanTest(matrix, { testTrainRatio: ratio }).pValue < 0.05) hits.fc++;
  }
  const bound = 0.05 + 2 * Math.sqrt((0.05 * 0.95) / studies);
  assert.ok(hits.w / studies > bound, `plain Wilcoxon ${hits.w / studies} exceeds alpha here`);
  assert.ok(hits.wc / studies <= bound, `corrected Wilcoxon ${hits.wc / studies}`);
  assert.ok(hits.f / studies > bound, `plain Friedman ${hits.f / studies} exceeds alpha here`);
  assert.ok(hits.fc / studies <= bound, `corrected Friedman ${hits.fc / studies}`);
  // The correction is the normal approximation with its variance inflated by 1 + n · ratio.
  const a = [0.91, 0.93, 0.9, 0.95, 0.92, 0.94];
  const b = [0.9, 0.9, 0.91, 0.9, 0.9, 0.92];
  const plain = wilcoxonSignedRank(a, b, { mode: 'approx' });
  const corrected = wilcoxonSignedRank(a, b, { testTrainRatio: 0.2 });
  assert.equal(corrected.method, 'approx');
  assert.ok(Math.abs(corrected.zStatistic! - plain.zStatistic! / Math.sqrt(1 + 6 * 0.2)) < 1e-12);
});
