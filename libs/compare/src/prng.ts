// A small seeded generator for resampling, so bootstrap intervals are reproducible everywhere.

/**
 * Mulberry32: a 32-bit state advanced by the odd constant 0x6D2B79F5, its output scrambled by two
 * xor-shift/multiply rounds (shifts 15, 7, 14). Period 2^32, fast, and good enough to draw bootstrap
 * indices; not for cryptography. Returns a function yielding unsigned 32-bit integers.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  };
}

/** A uniform integer in [0, n) from a 32-bit draw: floor(u · n / 2^32), exact for n < 2^21. */
export function indexFrom(u32: number, n: number): number {
  return Math.floor((u32 / 4294967296) * n);
}
