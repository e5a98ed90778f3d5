/** A small seeded PRNG (sfc32) whose whole state is four uint32 words, so it can be checkpointed. */
export class Rng {
  private s: Uint32Array;

  /** Seeds the generator from a number (any finite value) and an optional stream id. */
  constructor(seed: number, stream = 0) {
    this.s = new Uint32Array([0x9e3779b9, seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, stream >>> 0]);
    for (let i = 0; i < 16; i++) this.nextU32();
  }

  /** Restores a generator from `state()`. */
  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4) throw new Error(`rng state: expected 4 words (got ${state.length})`);
    const r = new Rng(0);
    r.s = new Uint32Array(state);
    return r;
  }

  /** The four state words, for checkpoints. */
  state(): number[] {
    return Array.from(this.s);
  }

  /** Next uniform uint32. */
  nextU32(): number {
    const s = this.s;
    const a = s[0]!,
      b = s[1]!,
      c = s[2]!,
      d = s[3]!;
    const t = (((a + b) >>> 0) + d) >>> 0;
    s[3] = (d + 1) >>> 0;
    s[0] = (b ^ (b >>> 9)) >>> 0;
    s[1] = (c + (c << 3)) >>> 0;
    const c2 = ((c << 21) | (c >>> 11)) >>> 0;
    s[2] = (c2 + t) >>> 0;
    return t;
  }

  /** Next uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Fisher–Yates shuffle of `arr` in place. */
  shuffle(arr: Int32Array): Int32Array {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = arr[i]!;
      arr[i] = arr[j]!;
      arr[j] = t;
    }
    return arr;
  }
}

/** Glorot-uniform values for a kernel of the given shape (fan-in/out as Keras computes them). */
export function glorotUniform(rng: Rng, shape: readonly number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = shape.length >= 2 ? shape[shape.length - 2]! * receptive : (shape[0] ?? 1);
  const fanOut = shape.length >= 2 ? shape[shape.length - 1]! * receptive : (shape[0] ?? 1);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}
