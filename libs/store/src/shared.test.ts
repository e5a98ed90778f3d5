import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NESTED_ARRAY_KEY, decodeNestedArrays, encodeNestedArrays } from './shared';

const hasNestedArray = (v: unknown): boolean =>
  Array.isArray(v)
    ? v.some((x) => Array.isArray(x) || hasNestedArray(x))
    : typeof v === 'object' && v !== null && Object.values(v).some(hasNestedArray);

const json = fc.jsonValue({ maxDepth: 5 }).filter((v) => !JSON.stringify(v).includes(NESTED_ARRAY_KEY));

void test('encoding leaves no array directly inside an array and decoding restores the value', () => {
  fc.assert(
    fc.property(json, (value) => {
      const encoded = encodeNestedArrays(value);
      assert.equal(hasNestedArray(encoded), false);
      assert.deepEqual(decodeNestedArrays(encoded), value);
    }),
    { numRuns: 500 },
  );
});

void test('values without nested arrays are stored unchanged, and non-plain objects are not walked', () => {
  const date = new Date(0);
  const bytes = new Uint8Array([1, 2]);
  const doc = { a: [1, { b: [2] }], date, bytes };
  assert.deepEqual(encodeNestedArrays(doc), doc);
  assert.equal(encodeNestedArrays(doc).date, date);
  assert.deepEqual(encodeNestedArrays([[1], [[2]]]), [
    { [NESTED_ARRAY_KEY]: [1] },
    { [NESTED_ARRAY_KEY]: [{ [NESTED_ARRAY_KEY]: [2] }] },
  ]);
});
