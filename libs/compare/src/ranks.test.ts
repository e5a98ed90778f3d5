import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rankData, tieGroupSizes } from './ranks';
import { loadFixture } from './fixtures.testutil';

void test('average ranks with ties match scipy.stats.rankdata', () => {
  for (const c of loadFixture<{ values: number[]; ranks: number[] }[]>('ranks.json')) {
    assert.deepEqual(rankData(c.values), c.ranks, JSON.stringify(c.values));
  }
});

void test('ranks sum to n(n+1)/2, follow the order of the values, and tie groups count repeated values', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 40 }), (xs) => {
      const r = rankData(xs);
      const n = xs.length;
      assert.equal(
        r.reduce((s, x) => s + x, 0),
        (n * (n + 1)) / 2,
      );
      xs.forEach((x, i) =>
        xs.forEach((y, j) => {
          if (x < y) assert.ok((r[i] ?? NaN) < (r[j] ?? NaN));
          if (x === y) assert.equal(r[i], r[j]);
        }),
      );
      const distinct = new Set(xs).size;
      const sizes = tieGroupSizes(xs);
      assert.equal(n - sizes.reduce((s, t) => s + t, 0) + sizes.length, distinct);
    }),
  );
});
