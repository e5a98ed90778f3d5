import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createSobol } from './sobol';

// Unscrambled points from SciPy 1.10 (same Joe–Kuo direction numbers), printed by:
//   /usr/bin/python3 -c "from scipy.stats import qmc; p = qmc.Sobol(21, scramble=False).random_base2(5); q = qmc.Sobol(128, scramble=False).random_base2(10); print(p[[2, 7, 13, 31]], q[1000][100:])"
const REF = {
  p21: [
    [
      0.75, 0.25, 0.25, 0.25, 0.75, 0.75, 0.25, 0.75, 0.75, 0.75, 0.75, 0.75, 0.25, 0.25, 0.75, 0.25, 0.75,
      0.25, 0.75, 0.25, 0.25,
    ],
    [
      0.125, 0.625, 0.375, 0.125, 0.125, 0.375, 0.625, 0.625, 0.625, 0.875, 0.625, 0.125, 0.625, 0.375, 0.125,
      0.125, 0.125, 0.125, 0.625, 0.875, 0.875,
    ],
    [
      0.8125, 0.6875, 0.8125, 0.0625, 0.4375, 0.9375, 0.5625, 0.5625, 0.5625, 0.4375, 0.8125, 0.9375, 0.0625,
      0.8125, 0.1875, 0.5625, 0.1875, 0.6875, 0.5625, 0.9375, 0.5625,
    ],
    [
      0.03125, 0.53125, 0.90625, 0.96875, 0.96875, 0.78125, 0.34375, 0.53125, 0.15625, 0.59375, 0.03125,
      0.34375, 0.96875, 0.21875, 0.65625, 0.84375, 0.21875, 0.40625, 0.59375, 0.71875, 0.40625,
    ],
  ],
  p128_1000_tail: [
    0.7685546875, 0.5419921875, 0.8818359375, 0.5537109375, 0.7724609375, 0.0634765625, 0.7548828125,
    0.6767578125, 0.1962890625, 0.1025390625, 0.9677734375, 0.7958984375, 0.9404296875, 0.6142578125,
    0.0947265625, 0.8642578125, 0.1318359375, 0.1591796875, 0.0361328125, 0.6064453125, 0.2548828125,
    0.7763671875, 0.4970703125, 0.5498046875, 0.4541015625, 0.6748046875, 0.1689453125, 0.5439453125,
  ],
};

test("unscrambled points equal SciPy's Sobol sequence in 21 and in 128 dimensions", () => {
  const s21 = createSobol(21);
  [2, 7, 13, 31].forEach((n, i) => assert.deepEqual(s21.point(n), REF.p21[i]));
  assert.deepEqual(createSobol(128).point(1000).slice(100), REF.p128_1000_tail);
});

test('scrambled points stay in [0, 1) and keep the (0, m, d) stratification of every 2^m-point prefix', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 }),
      fc.integer({ min: 1, max: 24 }),
      fc.integer({ min: 1, max: 7 }),
      (seed, dim, m) => {
        const s = createSobol(dim, seed);
        const n = 2 ** m;
        for (let d = 0; d < dim; d++) {
          const cells = new Set<number>();
          for (let i = 0; i < n; i++) {
            const x = s.point(i)[d] as number;
            assert.ok(x >= 0 && x < 1);
            cells.add(Math.floor(x * n));
          }
          assert.equal(cells.size, n, `dimension ${d}: every one of ${n} cells holds one point`);
        }
      },
    ),
    { numRuns: 30 },
  );
});

test('different scramble seeds give different sequences, the same seed the same one', () => {
  assert.deepEqual(createSobol(5, 11).point(3), createSobol(5, 11).point(3));
  assert.notDeepEqual(createSobol(5, 11).point(3), createSobol(5, 12).point(3));
  assert.notDeepEqual(createSobol(5, 11).point(0), createSobol(5).point(0));
});

test('dimensions beyond the table are refused with the limit named', () => {
  assert.throws(() => createSobol(129), /dim must be an integer in \[0, 128\] \(got 129\)/);
});
