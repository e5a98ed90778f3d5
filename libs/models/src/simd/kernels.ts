import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The slice of the WebAssembly JS API used here (the compiler's lib settings do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmModule {
  readonly kind?: 'module';
}
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      validate(bytes: Uint8Array): boolean;
      compile(bytes: Uint8Array): Promise<WasmModule>;
      instantiate(module: WasmModule): Promise<{ exports: unknown }>;
    };
  }
).WebAssembly;

/** The code of each element-wise function of the kernels: the non-ReLU activations, and exp (the softmax's). */
export const ActivationCode = { exp: 0, tanh: 1, sigmoid: 2, elu: 3 } as const;
/** An activation's code in the kernels. */
export type ActivationCode = (typeof ActivationCode)[keyof typeof ActivationCode];

/**
 * Bytes kept free past the last reservation: kernels that work 4 values at a time read up to 3 values (12 bytes) past
 * the end of a buffer in their last vector (never writing there).
 */
const READ_SLACK = 16;

/** The exported kernels of one instance (pointers are byte offsets into `memory`, sizes count float32 values). */
export interface Kernels {
  readonly memory: WasmMemory;
  /** `p[0..n) = 0`. */
  zero(n: number, p: number): void;
  /** `C[M×N] = A[M×K] · B[K×N]`. */
  mm(M: number, K: number, N: number, A: number, B: number, C: number): void;
  /** `C[K×N] = A[M×K]ᵀ · B[M×N]`. */
  mmTN(M: number, K: number, N: number, A: number, B: number, C: number): void;
  /** Adam step over n values: `m += c1·(g − m); v += c2·(g² − v); w −= lrt·m/(√v + eps)`. */
  adam(
    n: number,
    W: number,
    G: number,
    M: number,
    V: number,
    lrt: number,
    c1: number,
    c2: number,
    eps: number,
  ): void;
  /** SGD with momentum over n values: `a = mu·a + g; w −= lr·a`. */
  sgd(n: number, W: number, G: number, A: number, lr: number, mu: number): void;
  /** RMSprop over n values: `s += c2·(g² − s); w −= lr·g/√(s + eps)`. */
  rmsprop(n: number, W: number, G: number, S: number, lr: number, c2: number, eps: number): void;
  /** ReLU layer over `rows` rows of `u`: `A = max(Z, 0)` (unless A is 0), `H = A·M` (M 0: no mask) in rows of u + 1 ending in 1. */
  reluForward(rows: number, u: number, Z: number, A: number, H: number, M: number): void;
  /** ReLU's backward step over n values: `OUT = Z > 0 ? DH : 0`, times M unless M is 0. */
  reluBackward(n: number, DH: number, Z: number, M: number, OUT: number): void;
  /** `Y = f(X)` over n values, f the function `kind` (exp, tanh, sigmoid, elu). Accuracy: see kernels.wat. */
  activate(kind: ActivationCode, n: number, X: number, Y: number): void;
  /**
   * Layer with activation `kind` (tanh, sigmoid, elu) over `rows` rows of `u`: `A = f(Z)` (unless A is 0),
   * `H = A·M` (M 0: no mask) in rows of u + 1 ending in 1. Accuracy: see kernels.wat.
   */
  activationForward(
    kind: ActivationCode,
    rows: number,
    u: number,
    Z: number,
    A: number,
    H: number,
    M: number,
  ): void;
  /** Backward step of activation `kind` over n values from its output A: `OUT = DH·f'(A)`, times M unless M is 0. */
  activationBackward(kind: ActivationCode, n: number, DH: number, A: number, M: number, OUT: number): void;
  /** `B[C×R] = A[R×C]ᵀ`. */
  transpose(R: number, C: number, A: number, B: number): void;
  /** `Y += alpha·X` over n values. */
  axpy(n: number, alpha: number, X: number, Y: number): void;
  /**
   * Softmax cross-entropy over `rows` rows of C logits at OUT against Y (C per row): `D = (softmax − Y)·sc`,
   * `PT[row] = Σ softmax·Y`.
   */
  softmaxCrossEntropy(
    rows: number,
    C: number,
    OUT: number,
    Y: number,
    sc: number,
    D: number,
    PT: number,
  ): void;
}

let compiled: Promise<WasmModule> | undefined;

/** Whether this runtime validates WebAssembly SIMD (a one-instruction probe module). */
export function simdSupported(): boolean {
  const probe = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11,
  ]);
  return wasm.validate(probe);
}

/**
 * The kernels' WebAssembly: `kernels.wasm` beside this code where `npm run build` put it, else `kernels.wat` compiled
 * here with wabt (SIMD, bulk memory), which only a source checkout has.
 */
async function kernelsBinary(): Promise<Uint8Array> {
  const built = path.join(__dirname, 'kernels.wasm');
  if (existsSync(built)) return readFileSync(built);
  const { default: initWabt } = await import('wabt');
  const wabt = await initWabt();
  const file = path.join(__dirname, 'kernels.wat');
  const parsed = wabt.parseWat(file, readFileSync(file, 'utf8'), { simd: true, bulk_memory: true });
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** Compiles the kernels once per process. */
export function compileKernels(): Promise<WasmModule> {
  compiled ??= kernelsBinary().then((bytes) => wasm.compile(bytes));
  return compiled;
}

/** A fresh instance with at least `bytes` of memory (and `READ_SLACK` more). */
export async function instantiateKernels(bytes: number): Promise<Kernels> {
  const instance = await wasm.instantiate(await compileKernels());
  const k = instance.exports as unknown as Kernels;
  growKernels(k, bytes);
  return k;
}

/** Grows an instance's memory to at least `bytes` (and `READ_SLACK` more); views taken before a growth are stale. */
export function growKernels(k: Kernels, bytes: number): void {
  const need = Math.ceil((bytes + READ_SLACK) / 65536) - k.memory.buffer.byteLength / 65536;
  if (need > 0) k.memory.grow(need);
}

/** Hands out 16-byte-aligned float32 regions of a kernels instance's memory; offset 0 stays free, so 0 can mean "none". */
export class Arena {
  private top = 16;

  /** Reserves n float32 values; returns the byte offset. */
  reserve(n: number): number {
    const at = this.top;
    this.top += Math.ceil((n * 4) / 16) * 16;
    return at;
  }

  /** Bytes reserved so far. */
  get bytes(): number {
    return this.top;
  }
}

/** A float32 view of `n` values at byte offset `at` (recreate views after the memory grows). */
export function view(k: Kernels, at: number, n: number): Float32Array {
  return new Float32Array(k.memory.buffer, at, n);
}
