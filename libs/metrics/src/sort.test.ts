import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sortFloat64 } from './sort';

void test('the radix sort orders finite doubles exactly as the native typed-array sort, signs, zeros and ties included', () => {
  const value = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, -0, 1, -1, 0.5, 1e-300, -1e-300, Number.MAX_VALUE, -Number.MAX_VALUE),
    fc.integer({ min: -3, max: 3 }).map((v) => v / 4),
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.array(value, { maxLength: 40 }),
        fc.array(value, { minLength: 256, maxLength: 3000, size: 'max' }),
      ),
      (xs) => {
        const expected = Float64Array.from(xs).sort();
        const actual = sortFloat64(Float64Array.from(xs));
        assert.equal(actual.length, expected.length);
        for (let i = 0; i < xs.length; i++)
          assert.ok(Object.is(actual[i], expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`);
      },
    ),
    { numRuns: 200 },
  );
});

void test('the radix sort takes the radix path for long inputs and keeps every value', () => {
  const xs = Float64Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 1001) / 8 - 60);
  const sorted = sortFloat64(Float64Array.from(xs));
  assert.deepEqual(
    Array.from(sorted),
    Array.from(xs).sort((a, b) => a - b),
  );
});
