import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dominates, hypervolume2d, nonDominatedMask, nonDominatedRanks, paretoFront } from './pareto';

const arbPoints = (d: number) =>
  fc.array(fc.array(fc.integer({ min: -4, max: 4 }), { minLength: d, maxLength: d }), { maxLength: 30 });

/** Dominance by its definition: no worse anywhere, better somewhere. */
const bruteDominates = (a: readonly number[], b: readonly number[]): boolean =>
  a.every((x, k) => x >= (b[k] as number)) && a.some((x, k) => x > (b[k] as number));

/** Ranks by peeling: the front of what is left, again and again. */
function bruteRanks(points: readonly number[][]): number[] {
  const rank = points.map(() => -1);
  for (let r = 0; rank.includes(-1); r++) {
    const left = points.map((_, i) => i).filter((i) => rank[i] === -1);
    const front = left.filter(
      (i) => !left.some((j) => bruteDominates(points[j] as number[], points[i] as number[])),
    );
    for (const i of front) rank[i] = r;
  }
  return rank;
}

void test('dominance is irreflexive, antisymmetric and transitive, and matches its definition', () => {
  fc.assert(
    fc.property(arbPoints(3), (pts) => {
      for (const a of pts) {
        assert.equal(dominates(a, a), false);
        for (const b of pts) {
          assert.equal(dominates(a, b), bruteDominates(a, b), `${a} vs ${b}`);
          if (dominates(a, b)) assert.equal(dominates(b, a), false);
          for (const c of pts) if (dominates(a, b) && dominates(b, c)) assert.ok(dominates(a, c));
        }
      }
    }),
  );
});

void test('non-dominated ranks and the front mask agree with peeling fronts by brute force', () => {
  for (const d of [1, 2, 3]) {
    fc.assert(
      fc.property(arbPoints(d), (pts) => {
        const ranks = nonDominatedRanks(pts);
        assert.deepEqual(ranks, bruteRanks(pts));
        assert.deepEqual(
          nonDominatedMask(pts),
          ranks.map((r) => r === 0),
        );
      }),
    );
  }
});

void test('every point of rank r > 0 is dominated by a point of rank r - 1, and none by a point of its own rank', () => {
  fc.assert(
    fc.property(arbPoints(2), (pts) => {
      const ranks = nonDominatedRanks(pts);
      pts.forEach((p, i) => {
        const r = ranks[i] as number;
        const same = pts.filter((_, j) => ranks[j] === r);
        assert.ok(!same.some((q) => dominates(q, p)));
        if (r > 0) assert.ok(pts.some((q, j) => ranks[j] === r - 1 && dominates(q, p)));
      });
    }),
  );
});

/** Area dominated by the points up to `ref`, counted on a unit grid (integer coordinates). */
function gridArea(pts: readonly number[][], ref: readonly [number, number]): number {
  let area = 0;
  for (let x = ref[0]; x < 10; x++)
    for (let y = ref[1]; y < 10; y++)
      if (pts.some((p) => (p[0] as number) >= x + 1 && (p[1] as number) >= y + 1)) area += 1;
  return area;
}

void test('the 2-D hypervolume equals the dominated area counted cell by cell, and ignores dominated points', () => {
  fc.assert(
    fc.property(arbPoints(2), (pts) => {
      const ref: [number, number] = [-5, -5];
      const hv = hypervolume2d(pts, ref);
      assert.equal(hv, gridArea(pts, ref));
      const front = pts.filter((_, i) => nonDominatedMask(pts)[i]);
      assert.equal(hypervolume2d(front, ref), hv);
    }),
  );
  assert.equal(
    hypervolume2d(
      [
        [1, 3],
        [2, 2],
        [3, 1],
      ],
      [0, 0],
    ),
    6,
  );
  assert.equal(hypervolume2d([[-1, 5]], [0, 0]), 0);
});

void test('a candidate better on every fold is alone on the front with probability 1; a trade-off keeps both', () => {
  const r = paretoFront(
    [
      {
        values: [
          [0.9, 0.92, 0.91],
          [-1, -1.1, -0.9],
        ],
      },
      {
        values: [
          [0.8, 0.82, 0.81],
          [-2, -2.1, -1.9],
        ],
      },
      {
        values: [
          [0.7, 0.72, 0.71],
          [-0.5, -0.4, -0.6],
        ],
      },
    ],
    { resamples: 200, seed: 3 },
  );
  assert.deepEqual(r.onFront, [true, false, true]);
  assert.deepEqual(r.pNonDominated, [1, 0, 1]);
  assert.ok(Math.abs((r.means[0]?.[0] as number) - 0.91) < 1e-12);
});

void test('pNonDominated is a seeded share in [0, 1], the same for the same seed, and 1 for every front member without folds to resample', () => {
  const arbCandidates = fc.integer({ min: 2, max: 5 }).chain((nFolds) =>
    fc.array(
      fc.record({
        values: fc.array(
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: nFolds, maxLength: nFolds }),
          {
            minLength: 2,
            maxLength: 2,
          },
        ),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  );
  fc.assert(
    fc.property(arbCandidates, fc.integer({ min: 0, max: 1000 }), (cands, seed) => {
      const a = paretoFront(cands, { resamples: 50, seed });
      assert.deepEqual(paretoFront(cands, { resamples: 50, seed }), a);
      for (const p of a.pNonDominated)
        assert.ok(p >= 0 && p <= 1 && Math.abs(p * 50 - Math.round(p * 50)) < 1e-9);
      assert.ok(a.onFront.some(Boolean));
      const none = paretoFront(cands, { resamples: 0 });
      assert.deepEqual(
        none.pNonDominated,
        none.onFront.map((on) => (on ? 1 : 0)),
      );
    }),
    { numRuns: 50 },
  );
});

void test('candidates with a different number of objectives or folds, or a non-finite value, are refused with the index named', () => {
  assert.throws(
    () => paretoFront([{ values: [[1], [2]] }, { values: [[1]] }]),
    /candidates\[1\]: must have 2 objectives/,
  );
  assert.throws(
    () => paretoFront([{ values: [[1, 2]] }, { values: [[1]] }]),
    /candidates\[1\]\.values\[0\]: must have 2 folds/,
  );
  assert.throws(
    () => paretoFront([{ values: [[1, Number.NaN]] }]),
    /candidates\[0\]\.values\[0\]\[1\]: must be finite/,
  );
});
