/**
 * Seeded pseudo-random numbers for everything foldwise decides at random.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counter, 32-bit), seeded through splitmix32 from a
 * 32-bit seed or from the FNV-1a hash of a string key. Pure integer arithmetic, so the same seed gives the
 * same stream on every machine and inside Temporal's workflow sandbox. The state is four uint32 words and
 * serialises to JSON, so a strategy can continue-as-new and resume the exact stream.
 */

/** The serialisable state of a generator: four unsigned 32-bit words. */
export type RngState = readonly [number, number, number, number];

/** A seeded generator with uniform, integer, normal and shuffling helpers. */
export interface Rng {
  /** A uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** A standard normal deviate (Box–Muller, one value per call). */
  normal(): number;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  /** Shuffles a typed array in place (Fisher–Yates) and returns it. */
  shuffleTyped<A extends Uint32Array | Int32Array | Float64Array>(items: A): A;
  /** The current state, to resume the same stream later with `restoreRng`. */
  state(): RngState;
}

/** FNV-1a 32-bit hash of a string (UTF-16 code units), used to turn keys into seeds. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Derives a 32-bit seed from a base seed and any number of labels (e.g. `deriveSeed(seed, 'trial', 7)`). */
export function deriveSeed(seed: number | string, ...labels: (string | number)[]): number {
  return fnv1a32([String(seed), ...labels.map(String)].join('\u0000'));
}

/** Creates a generator from a numeric seed or a string key. */
export function createRng(seed: number | string): Rng {
  const base = typeof seed === 'string' ? fnv1a32(seed) : seed >>> 0;
  if (typeof seed === 'number' && !Number.isFinite(seed))
    throw new Error(`seed: must be a finite number (got ${seed})`);
  const sm = splitmix32(base);
  const state: [number, number, number, number] = [sm(), sm(), sm(), sm()];
  for (let i = 0; i < 12; i++) sfc32Step(state);
  return wrap(state);
}

/** Recreates a generator from a state returned by `rng.state()`. */
export function restoreRng(state: RngState): Rng {
  if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
    throw new Error('rng state: expected four unsigned 32-bit integers');
  }
  return wrap([state[0], state[1], state[2], state[3]]);
}

function sfc32Step(s: [number, number, number, number]): number {
  const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
  s[3] = (s[3] + 1) >>> 0;
  s[0] = (s[1] ^ (s[1] >>> 9)) >>> 0;
  s[1] = (s[2] + (s[2] << 3)) >>> 0;
  s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
  s[2] = (s[2] + t) >>> 0;
  return t;
}

function wrap(s: [number, number, number, number]): Rng {
  const rng: Rng = {
    nextUint32: () => sfc32Step(s),
    next: () => sfc32Step(s) / 4294967296,
    int(n) {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`rng.int: n must be a positive integer (got ${n})`);
      const limit = Math.floor(4294967296 / n) * n;
      let x = sfc32Step(s);
      while (x >= limit) x = sfc32Step(s);
      return x % n;
    },
    normal() {
      let u = 0;
      while (u === 0) u = rng.next();
      const v = rng.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = items[i] as (typeof items)[number];
        items[i] = items[j] as (typeof items)[number];
        items[j] = tmp;
      }
      return items;
    },
    shuffleTyped(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = items[i] as number;
        items[i] = items[j] as number;
        items[j] = tmp;
      }
      return items;
    },
    state: () => [s[0], s[1], s[2], s[3]] as const,
  };
  return rng;
}
