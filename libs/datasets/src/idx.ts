import { gunzipSync } from 'node:zlib';
import { DatasetError, DatasetErrorCode } from './errors';

/** Typed arrays an IDX file can hold. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: its dimensions and its elements in row-major order. */
export interface IdxArray {
  dims: number[];
  data: IdxData;
}

interface IdxType {
  code: number;
  size: number;
  make: (n: number) => IdxData;
  get: (v: DataView, o: number) => number;
  set: (v: DataView, o: number, x: number) => void;
}

const TYPES: IdxType[] = [
  {
    code: 0x08,
    size: 1,
    make: (n) => new Uint8Array(n),
    get: (v, o) => v.getUint8(o),
    set: (v, o, x) => v.setUint8(o, x),
  },
  {
    code: 0x09,
    size: 1,
    make: (n) => new Int8Array(n),
    get: (v, o) => v.getInt8(o),
    set: (v, o, x) => v.setInt8(o, x),
  },
  {
    code: 0x0b,
    size: 2,
    make: (n) => new Int16Array(n),
    get: (v, o) => v.getInt16(o),
    set: (v, o, x) => v.setInt16(o, x),
  },
  {
    code: 0x0c,
    size: 4,
    make: (n) => new Int32Array(n),
    get: (v, o) => v.getInt32(o),
    set: (v, o, x) => v.setInt32(o, x),
  },
  {
    code: 0x0d,
    size: 4,
    make: (n) => new Float32Array(n),
    get: (v, o) => v.getFloat32(o),
    set: (v, o, x) => v.setFloat32(o, x),
  },
  {
    code: 0x0e,
    size: 8,
    make: (n) => new Float64Array(n),
    get: (v, o) => v.getFloat64(o),
    set: (v, o, x) => v.setFloat64(o, x),
  },
];

function typeOfData(data: IdxData): IdxType {
  const code =
    data instanceof Uint8Array
      ? 0x08
      : data instanceof Int8Array
        ? 0x09
        : data instanceof Int16Array
          ? 0x0b
          : data instanceof Int32Array
            ? 0x0c
            : data instanceof Float32Array
              ? 0x0d
              : 0x0e;
  return TYPES.find((t) => t.code === code) as IdxType;
}

/** Decodes an IDX file (big-endian header: two zero bytes, a type code, the number of dimensions, then each dimension as uint32); gzip input is inflated first. Byte data is returned as a view of the input. */
export function readIdx(buffer: Uint8Array): IdxArray {
  let buf = buffer;
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  if (buf.length < 4)
    throw new DatasetError(
      DatasetErrorCode.InvalidIdx,
      `IDX: buffer of ${buf.length} bytes is shorter than the 4-byte magic number`,
    );
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new DatasetError(
      DatasetErrorCode.InvalidIdx,
      `IDX: magic number must start with two zero bytes (got 0x${(buf[0] as number).toString(16)} 0x${(buf[1] as number).toString(16)})`,
    );
  }
  const type = TYPES.find((t) => t.code === buf[2]);
  if (!type)
    throw new DatasetError(
      DatasetErrorCode.InvalidIdx,
      `IDX: unknown data type code 0x${(buf[2] as number).toString(16)}`,
    );
  const ndims = buf[3] as number;
  const header = 4 + 4 * ndims;
  if (buf.length < header)
    throw new DatasetError(
      DatasetErrorCode.InvalidIdx,
      `IDX: header declares ${ndims} dimensions but the buffer ends at byte ${buf.length}`,
    );
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i);
    dims.push(d);
    count *= d;
  }
  const expected = header + count * type.size;
  if (buf.length !== expected) {
    throw new DatasetError(
      DatasetErrorCode.InvalidIdx,
      `IDX: dimensions [${dims.join(', ')}] need ${expected} bytes, the buffer has ${buf.length}`,
    );
  }
  if (type.size === 1) {
    const data =
      type.code === 0x08
        ? new Uint8Array(buf.buffer, buf.byteOffset + header, count)
        : new Int8Array(buf.buffer, buf.byteOffset + header, count);
    return { dims, data };
  }
  const data = type.make(count);
  for (let i = 0; i < count; i++) data[i] = type.get(view, header + i * type.size);
  return { dims, data };
}

/** Encodes an array as an IDX file (the inverse of `readIdx`). */
export function writeIdx(dims: number[], data: IdxData): Buffer {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new DatasetError(
      DatasetErrorCode.InvalidIdx,
      `dims: [${dims.join(', ')}] describe ${count} elements but data has ${data.length}`,
    );
  }
  if (dims.length > 255)
    throw new DatasetError(DatasetErrorCode.InvalidIdx, `dims: at most 255 dimensions (got ${dims.length})`);
  const type = typeOfData(data);
  const header = 4 + 4 * dims.length;
  const out = Buffer.alloc(header + count * type.size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[2] = type.code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  for (let i = 0; i < count; i++) type.set(view, header + i * type.size, data[i] as number);
  return out;
}
