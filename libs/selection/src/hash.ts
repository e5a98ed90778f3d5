/** Stable, dependency-free hashing for plans and configurations (runs inside the workflow sandbox). */

/** Canonical JSON: object keys sorted recursively, so equal values always serialise identically. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (ArrayBuffer.isView(value)) return canonicalJson(Array.from(value as unknown as ArrayLike<number>));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** 64-bit FNV-1a over 32-bit words and strings, rendered as 16 hex digits. */
export class StableHasher {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  /** Mixes one byte into the hash. */
  byte(b: number): this {
    this.lo ^= b & 0xff;
    const lo = this.lo >>> 0;
    const hi = this.hi >>> 0;
    const pLo = 0x1b3;
    const pHi = 0x100;
    const loLo = (lo & 0xffff) * pLo;
    const loHi = (lo >>> 16) * pLo;
    const newLo = (loLo + ((loHi & 0xffff) << 16)) >>> 0;
    const carry = Math.floor((loLo + (loHi & 0xffff) * 65536) / 4294967296) + (loHi >>> 16);
    const newHi = (Math.imul(hi, pLo) + Math.imul(lo, pHi) + carry) >>> 0;
    this.lo = newLo;
    this.hi = newHi;
    return this;
  }

  /** Mixes an unsigned 32-bit integer (little-endian bytes). */
  uint32(x: number): this {
    const v = x >>> 0;
    return this.byte(v)
      .byte(v >>> 8)
      .byte(v >>> 16)
      .byte(v >>> 24);
  }

  /** Mixes a string (its UTF-16 code units, then a terminator). */
  string(text: string): this {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      this.byte(c).byte(c >>> 8);
    }
    return this.byte(0xff).byte(0xfe);
  }

  /** Mixes a whole index array, length first. */
  indices(xs: ArrayLike<number>): this {
    this.uint32(xs.length);
    for (let i = 0; i < xs.length; i++) this.uint32(xs[i] as number);
    return this;
  }

  /** The hash as 16 lowercase hex digits. */
  hex(): string {
    return (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0');
  }
}

/** Stable 16-hex-digit hash of any JSON-like value (canonical key order). */
export function stableHash(value: unknown): string {
  return new StableHasher().string(canonicalJson(value)).hex();
}
