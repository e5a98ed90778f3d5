import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mcnemarTest } from './mcnemar';
import { assertAbsClose, assertRelClose, loadFixture } from './fixtures.testutil';

interface Ref {
  statistic: number;
  pValue: number;
}
interface McNemarCase {
  yTrue: number[];
  predA: number[];
  predB: number[];
  b: number;
  c: number;
  exact?: Ref;
  chi2Corrected?: Ref;
  chi2?: Ref;
}

void test('McNemar counts, exact binomial and chi-square forms match scipy.stats.binomtest and chi2', () => {
  for (const [i, c] of loadFixture<McNemarCase[]>('mcnemar.json').entries()) {
    const auto = mcnemarTest(c.yTrue, c.predA, c.predB);
    assert.deepEqual([auto.b, auto.c], [c.b, c.c]);
    assert.equal(auto.exact, c.b + c.c < 25);
    const cases: [boolean, boolean, Ref | undefined][] = [
      [true, true, c.exact],
      [false, true, c.chi2Corrected],
      [false, false, c.chi2],
    ];
    for (const [exact, correction, ref] of cases) {
      if (!ref) continue;
      const got = mcnemarTest(c.yTrue, c.predA, c.predB, { exact, correction });
      assertRelClose(
        got.statistic,
        ref.statistic,
        1e-12,
        `case ${i} exact=${exact} correction=${correction} statistic`,
      );
      assertAbsClose(
        got.pValue,
        ref.pValue,
        1e-9,
        `case ${i} exact=${exact} correction=${correction} pValue`,
      );
    }
  }
});

void test('swapping the two classifiers swaps b and c and keeps the p-value in [0, 1]', () => {
  const labels = fc.integer({ min: 0, max: 2 });
  fc.assert(
    fc.property(
      fc
        .integer({ min: 1, max: 80 })
        .chain((n) => fc.tuple(...[0, 1, 2].map(() => fc.array(labels, { minLength: n, maxLength: n })))),
      ([y, a, b]) => {
        const r = mcnemarTest(y!, a!, b!);
        const s = mcnemarTest(y!, b!, a!);
        assert.deepEqual([s.b, s.c, s.pValue, s.statistic], [r.c, r.b, r.pValue, r.statistic]);
        assert.ok(r.pValue >= 0 && r.pValue <= 1);
      },
    ),
  );
});

void test('no discordant pairs give p = 1 and mismatched lengths are named', () => {
  assert.deepEqual(mcnemarTest(['x', 'y'], ['x', 'x'], ['x', 'x']), {
    statistic: 0,
    pValue: 1,
    b: 0,
    c: 0,
    exact: true,
  });
  assert.equal(mcnemarTest([1, 2], [1, 1], [1, 1], { exact: false }).pValue, 1);
  assert.throws(() => mcnemarTest([1, 2], [1], [1, 2]), /^Error: predA: must have the same length as yTrue/);
  assert.throws(() => mcnemarTest([1, 2], [1, 2], [1]), /^Error: predB: must have the same length as yTrue/);
  assert.throws(() => mcnemarTest([], [], []), /^Error: yTrue: must be a non-empty array/);
});
