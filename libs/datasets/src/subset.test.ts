import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sampleIndices } from './subset';

test('a stratified sample has the requested size, distinct ascending rows, and class quotas within one of proportional', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 300 }),
      fc.integer({ min: 1, max: 400 }),
      fc.integer(),
      (labels, size, seed) => {
        const y = Float64Array.from(labels);
        const ds = { task: 'classification' as const, nSamples: y.length, y };
        const idx = sampleIndices(ds, size, seed);
        assert.equal(idx.length, Math.min(size, y.length));
        for (let i = 1; i < idx.length; i++) assert.ok((idx[i] as number) > (idx[i - 1] as number));
        assert.deepEqual(sampleIndices(ds, size, seed), idx);
        for (let c = 0; c <= 5; c++) {
          const total = labels.filter((l) => l === c).length;
          const got = Array.from(idx).filter((i) => labels[i] === c).length;
          assert.ok(Math.abs(got - (idx.length * total) / y.length) < 1, `class ${c}: ${got} of ${total}`);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('different seeds draw different samples and regression samples are uniform draws', () => {
  const y = Float64Array.from({ length: 1000 }, (_, i) => i % 2);
  const a = sampleIndices({ task: 'classification', nSamples: 1000, y }, 100, 1);
  const b = sampleIndices({ task: 'classification', nSamples: 1000, y }, 100, 2);
  assert.notDeepEqual(a, b);
  const r = sampleIndices(
    { task: 'regression', nSamples: 1000, y: Float64Array.from({ length: 1000 }, (_, i) => i / 7) },
    250,
    3,
  );
  assert.equal(new Set(r).size, 250);
  assert.throws(
    () => sampleIndices({ task: 'regression', nSamples: 3, y: new Float64Array(3) }, 2, 0.5),
    /seed: must be an integer \(got 0.5\)/,
  );
});
