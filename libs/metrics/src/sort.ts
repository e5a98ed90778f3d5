const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const RADIX_MIN = 256;

/** Sorts finite float64 values ascending in place (LSD radix sort on the IEEE-754 bits; -0 before +0) and returns the array. */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_MIN || !LITTLE_ENDIAN) return values.sort();
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1] as number;
    if (hi >>> 31 === 1) {
      words[2 * i] = ~(words[2 * i] as number);
      words[2 * i + 1] = ~hi;
    } else {
      words[2 * i + 1] = (hi | 0x80000000) >>> 0;
    }
  }
  const counts = new Uint32Array(4 * 65536);
  for (let i = 0; i < n; i++) {
    const lo = words[2 * i] as number;
    const hi = words[2 * i + 1] as number;
    counts[lo & 0xffff] = (counts[lo & 0xffff] as number) + 1;
    counts[65536 + (lo >>> 16)] = (counts[65536 + (lo >>> 16)] as number) + 1;
    counts[131072 + (hi & 0xffff)] = (counts[131072 + (hi & 0xffff)] as number) + 1;
    counts[196608 + (hi >>> 16)] = (counts[196608 + (hi >>> 16)] as number) + 1;
  }
  let src: Uint32Array = words;
  let dst: Uint32Array = new Uint32Array(n * 2);
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 65536;
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    const first = ((pass < 2 ? (src[0] as number) : (src[1] as number)) >>> shift) & 0xffff;
    if (counts[base + first] === n) continue;
    let offset = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[base + d] as number;
      counts[base + d] = offset;
      offset += c;
    }
    for (let i = 0; i < n; i++) {
      const lo = src[2 * i] as number;
      const hi = src[2 * i + 1] as number;
      const digit = ((word === 0 ? lo : hi) >>> shift) & 0xffff;
      const at = counts[base + digit] as number;
      counts[base + digit] = at + 1;
      dst[2 * at] = lo;
      dst[2 * at + 1] = hi;
    }
    [src, dst] = [dst, src];
  }
  for (let i = 0; i < n; i++) {
    const hi = src[2 * i + 1] as number;
    if (hi >>> 31 === 1) {
      words[2 * i] = src[2 * i] as number;
      words[2 * i + 1] = (hi & 0x7fffffff) >>> 0;
    } else {
      words[2 * i] = ~(src[2 * i] as number);
      words[2 * i + 1] = ~hi;
    }
  }
  return values;
}
