import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readIdx, writeIdx } from './idx';

test('a hand-built big-endian IDX buffer decodes to its dimensions and bytes', () => {
  const buf = Buffer.from([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 250, 251, 252]);
  const { dims, data } = readIdx(buf);
  assert.deepEqual(dims, [2, 3]);
  assert.ok(data instanceof Uint8Array);
  assert.deepEqual(Array.from(data), [1, 2, 3, 250, 251, 252]);
});

test('multi-byte IDX elements are read big-endian', () => {
  const buf = Buffer.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
  const { data } = readIdx(buf);
  assert.ok(data instanceof Int16Array);
  assert.deepEqual(Array.from(data), [0x0102, -2]);
});

test('every IDX element type survives a write and read round trip, gzipped or not', () => {
  const cases = [
    new Uint8Array([0, 1, 255, 128, 7, 9]),
    new Int8Array([-128, -1, 0, 1, 127, 5]),
    new Int16Array([-32768, -2, 0, 3, 32767, 12]),
    new Int32Array([-2147483648, -5, 0, 6, 2147483647, 99]),
    new Float32Array([-1.5, 0, 3.25, 1e-20, 6.5e10, -0.125]),
    new Float64Array([-1.5, Math.PI, 0, 1e-300, 6.02e23, -0.1]),
  ];
  for (const data of cases) {
    const dims = [1, 2, 3];
    const buf = writeIdx(dims, data);
    for (const input of [buf, gzipSync(buf)]) {
      const back = readIdx(input);
      assert.deepEqual(back.dims, dims);
      assert.equal(back.data.constructor, data.constructor);
      assert.deepEqual(Array.from(back.data), Array.from(data));
    }
  }
});

test('malformed IDX buffers are rejected with the reason', () => {
  assert.throws(
    () => readIdx(Buffer.from([0, 0])),
    /IDX: buffer of 2 bytes is shorter than the 4-byte magic number/,
  );
  assert.throws(
    () => readIdx(Buffer.from([1, 0, 8, 1, 0, 0, 0, 1, 5])),
    /IDX: magic number must start with two zero bytes \(got 0x1 0x0\)/,
  );
  assert.throws(
    () => readIdx(Buffer.from([0, 0, 0x0a, 1, 0, 0, 0, 1, 5])),
    /IDX: unknown data type code 0xa/,
  );
  assert.throws(
    () => readIdx(Buffer.from([0, 0, 8, 2, 0, 0, 0, 1])),
    /IDX: header declares 2 dimensions but the buffer ends at byte 8/,
  );
  assert.throws(
    () => readIdx(Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 5, 6])),
    /IDX: dimensions \[3\] need 11 bytes, the buffer has 10/,
  );
  assert.throws(
    () => writeIdx([2, 2], new Uint8Array(3)),
    /dims: \[2, 2\] describe 4 elements but data has 3/,
  );
});
