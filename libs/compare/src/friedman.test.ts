import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NEMENYI_Q, averageRanks, friedmanTest, nemenyi } from './friedman';
import { rankData } from './ranks';
import { assertAbsClose, assertRelClose, loadFixture } from './fixtures.testutil';

interface NemenyiRef {
  q: number;
  criticalDifference: number;
  significant: boolean[][];
}
interface FriedmanFixture {
  qTable: Record<'0.05' | '0.1', number[]>;
  cases: {
    scores: number[][];
    friedman: { statistic: number; pValue: number };
    averageRanks: number[];
    nemenyi: Record<'0.05' | '0.1', NemenyiRef>;
  }[];
}

const fx = loadFixture<FriedmanFixture>('friedman.json');

void test('the tabulated Nemenyi critical values are the SciPy studentized range quantiles over sqrt(2)', () => {
  assert.deepEqual(NEMENYI_Q['0.05'], fx.qTable['0.05']);
  assert.deepEqual(NEMENYI_Q['0.1'], fx.qTable['0.1']);
  assert.equal(NEMENYI_Q['0.05'].length, 19);
});

void test('the Friedman test matches scipy.stats.friedmanchisquare, ties included', () => {
  for (const [i, c] of fx.cases.entries()) {
    const got = friedmanTest(c.scores);
    assertRelClose(got.statistic, c.friedman.statistic, 1e-9, `case ${i} statistic`);
    assertAbsClose(got.pValue, c.friedman.pValue, 1e-9, `case ${i} pValue`);
    assertRelClose(got.pValue, c.friedman.pValue, 1e-8, `case ${i} pValue (relative)`);
    assert.equal(got.df, c.scores[0]!.length - 1);
  }
});

void test('Nemenyi average ranks, critical differences and significance flags match the reference', () => {
  for (const [i, c] of fx.cases.entries()) {
    for (const alpha of [0.05, 0.1] as const) {
      const ref = c.nemenyi[alpha === 0.05 ? '0.05' : '0.1'];
      const got = nemenyi(c.scores, { alpha });
      got.averageRanks.forEach((r, j) =>
        assertAbsClose(r, c.averageRanks[j] ?? NaN, 1e-12, `case ${i} rank ${j}`),
      );
      assertRelClose(got.criticalDifference, ref.criticalDifference, 1e-12, `case ${i} CD`);
      assert.deepEqual(got.significant, ref.significant, `case ${i} alpha ${alpha}`);
    }
  }
});

void test('Demsar 2006 worked example: CD for k = 4 and N = 14 at alpha 0.05 is 1.25', () => {
  const scores = Array.from({ length: 14 }, (_, i) => [i, i + 1, i + 2, i + 3]);
  assert.equal(Math.round(nemenyi(scores, { alpha: 0.05 }).criticalDifference * 100) / 100, 1.25);
});

const matrix = fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 3, max: 8 })).chain(([n, k]) =>
  fc.array(
    fc.array(
      fc.integer({ min: 0, max: 20 }).map((x) => x / 20),
      { minLength: k, maxLength: k },
    ),
    {
      minLength: n,
      maxLength: n,
    },
  ),
);

void test('average ranks sum to k(k+1)/2, the p-value stays in [0, 1] and column order does not matter', () => {
  fc.assert(
    fc.property(matrix, (scores) => {
      const k = scores[0]!.length;
      const ranks = averageRanks(scores);
      assertAbsClose(
        ranks.reduce((s, r) => s + r, 0),
        (k * (k + 1)) / 2,
        1e-9,
        'rank sum',
      );
      const f = friedmanTest(scores);
      if (!Number.isNaN(f.pValue)) {
        assert.ok(f.pValue >= 0 && f.pValue <= 1);
        const reversed = friedmanTest(scores.map((row) => [...row].reverse()));
        assertRelClose(reversed.statistic, f.statistic, 1e-12, 'column order');
      }
      const flipped = averageRanks(scores, false);
      flipped.forEach((r, j) => assertAbsClose(r, k + 1 - (ranks[j] ?? NaN), 1e-9, 'direction'));
    }),
  );
});

void test('rows that are entirely tied give a NaN statistic, and malformed matrices are named in errors', () => {
  assert.ok(
    Number.isNaN(
      friedmanTest([
        [1, 1, 1],
        [2, 2, 2],
      ]).statistic,
    ),
  );
  assert.deepEqual(rankData([2, 1, 2]), [2.5, 1, 2.5]);
  assert.throws(
    () =>
      friedmanTest([
        [1, 2],
        [3, 4],
      ]),
    /^Error: scores: the Friedman test needs at least 3 columns/,
  );
  assert.throws(() => friedmanTest([[1, 2, 3]]), /^Error: scores: needs at least 2 rows/);
  assert.throws(
    () =>
      friedmanTest([
        [1, 2, 3],
        [1, 2],
      ]),
    /^Error: scores\[1\]: must have 3 columns/,
  );
  assert.throws(
    () =>
      friedmanTest([
        [1, 2, 3],
        [1, NaN, 2],
      ]),
    /^Error: scores\[1\]\[1\]: must be a finite number/,
  );
  assert.throws(
    () =>
      nemenyi(
        [
          [1, 2],
          [3, 4],
        ],
        { alpha: 0.01 as 0.05 },
      ),
    /^Error: alpha: must be 0.05 or 0.1/,
  );
  assert.throws(
    () => nemenyi([new Array<number>(21).fill(0), new Array<number>(21).fill(1)], { alpha: 0.05 }),
    /at most 20 candidates/,
  );
});
