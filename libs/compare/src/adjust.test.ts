import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bonferroni, holm } from './adjust';
import { assertAbsClose, loadFixture } from './fixtures.testutil';

interface AdjustCase {
  pValues: number[];
  alpha: number;
  holm: number[];
  holmReject: boolean[];
  bonferroni: number[];
  bonferroniReject: boolean[];
}

void test('Holm and Bonferroni adjustments match the NumPy reference, ties between p-values included', () => {
  for (const [i, c] of loadFixture<AdjustCase[]>('adjust.json').entries()) {
    const h = holm(c.pValues, c.alpha);
    h.adjusted.forEach((p, j) => assertAbsClose(p, c.holm[j] ?? NaN, 1e-15, `case ${i} holm[${j}]`));
    assert.deepEqual(h.reject, c.holmReject);
    const b = bonferroni(c.pValues, c.alpha);
    b.adjusted.forEach((p, j) =>
      assertAbsClose(p, c.bonferroni[j] ?? NaN, 1e-15, `case ${i} bonferroni[${j}]`),
    );
    assert.deepEqual(b.reject, c.bonferroniReject);
  }
});

void test('Holm-adjusted p-values are at least the raw ones, monotone in them, and no larger than Bonferroni', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }),
      (ps) => {
        const { adjusted, reject } = holm(ps);
        const bon = bonferroni(ps).adjusted;
        ps.forEach((p, i) => {
          assert.ok((adjusted[i] ?? NaN) >= p && (adjusted[i] ?? NaN) <= 1);
          assert.ok((adjusted[i] ?? NaN) <= (bon[i] ?? NaN));
          assert.equal(reject[i], (adjusted[i] ?? NaN) <= 0.05);
          ps.forEach((q, j) => {
            if (p < q) assert.ok((adjusted[i] ?? NaN) <= (adjusted[j] ?? NaN));
          });
        });
      },
    ),
  );
});

void test('p-values outside [0, 1] and bad alpha are rejected by name', () => {
  assert.throws(() => holm([0.1, 1.2]), /^Error: pValues\[1\]: must be in \[0, 1\]/);
  assert.throws(() => bonferroni([NaN]), /^Error: pValues\[0\]/);
  assert.throws(() => holm([0.1], 0), /^Error: alpha: must be strictly between 0 and 1/);
  assert.deepEqual(holm([]), { adjusted: [], reject: [] });
});
