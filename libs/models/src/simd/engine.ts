import { ADAM_EPSILON, type DenseEngine, type DenseLayout, EPS, type EpochPlan } from '../dense-engine';
import { ActivationCode, Arena, type Kernels, instantiateKernels } from './kernels';

/** Rows of validation data pushed through the network at once. */
const VAL_CHUNK = 256;

/** A kernels instance and the arena size it was grown for. */
interface Instance {
  kernels: Kernels;
  bytes: number;
}

/**
 * This thread's kernels instances that no engine holds. An engine takes one that is large enough and hands it back
 * on dispose, so that a thread's runs call the same exported functions and V8 keeps the optimised code of the
 * engine's methods from one run to the next (a fresh instance per run made them deoptimise at every run).
 */
const idle: Instance[] = [];

/** An idle instance of at least `bytes`, zeroed as a fresh one is, else a fresh one (dropping an idle one too small). */
async function takeInstance(bytes: number): Promise<Instance> {
  const i = idle.findIndex((x) => x.bytes >= bytes);
  if (i < 0) {
    idle.pop();
    return { kernels: await instantiateKernels(bytes), bytes };
  }
  const inst = idle.splice(i, 1)[0]!;
  inst.kernels.zero(inst.kernels.memory.buffer.byteLength / 4, 0);
  return inst;
}

/** The float32 index of byte offset `ptr`. */
const at = (ptr: number): number => ptr >> 2;

/** Copies `n` values of `src` from `from` to float index `to` of `f` (a loop: no subarray per call). */
function copyIn(f: Float32Array, src: Float32Array, from: number, n: number, to: number): void {
  for (let i = 0; i < n; i++) f[to + i] = src[from + i]!;
}

/**
 * The buffers of one forward pass (byte offsets): its input rows, each layer's Z, and each hidden layer's activation
 * A, output H (with the ones column) and dropout mask M; 0 where a pass keeps no A or applies no mask.
 */
interface Pass {
  x: number;
  z: number[];
  a: number[];
  h: number[];
  m: number[];
}

/** Where an engine's buffers lie in its instance's memory (byte offsets), and the bytes they take. */
interface Buffers {
  W: number;
  S: number[];
  G: number;
  Y: number;
  PT: number;
  D: [number, number];
  DH: number;
  WT: number;
  train: Pass;
  val: Pass;
  bytes: number;
}

/** Lays out the buffers of a run: weights and optimizer slots of all jobs, one step's batch, one validation chunk. */
function reserveBuffers(lay: DenseLayout, nSlots: number): Buffers {
  const { P, F, C, dims, B, cls, sizes, T, vMax } = lay;
  const hidden = dims.slice(1, -1);
  const none = hidden.map(() => 0);
  const widest = Math.max(...dims.slice(1));
  const vb = Math.min(vMax, VAL_CHUNK);
  const ar = new Arena();
  const W = ar.reserve(P * T);
  const S = Array.from({ length: nSlots }, () => ar.reserve(P * T));
  const G = ar.reserve(T);
  const X = ar.reserve(B * (F + 1));
  const Y = cls ? ar.reserve(B * C) : 0;
  const PT = cls ? ar.reserve(B) : 0;
  const Z = dims.slice(1).map((u) => ar.reserve(B * u));
  const A = lay.act !== 'relu' ? hidden.map((u) => ar.reserve(B * u)) : none;
  const H = hidden.map((u) => ar.reserve(B * (u + 1)));
  const M = lay.anyDropout ? hidden.map((u) => ar.reserve(B * u)) : none;
  const D: [number, number] = [ar.reserve(B * widest), ar.reserve(B * widest)];
  const DH = ar.reserve(B * widest);
  const WT = ar.reserve(Math.max(1, ...sizes));
  const VX = ar.reserve(vb * (F + 1));
  const VZ = dims.slice(1).map((u) => ar.reserve(vb * u));
  const VH = hidden.map((u) => ar.reserve(vb * (u + 1)));
  return {
    W,
    S,
    G,
    Y,
    PT,
    D,
    DH,
    WT,
    train: { x: X, z: Z, a: A, h: H, m: M },
    val: { x: VX, z: VZ, a: none, h: VH, m: none },
    bytes: ar.bytes,
  };
}

/** The SIMD engine of one run; a class, so that its methods, and V8's optimised code of them, exist once per thread. */
class SimdEngine implements DenseEngine {
  readonly backend = 'wasm-simd';
  private readonly k: Kernels;
  private readonly f: Float32Array;
  /** The activation's kernel code; undefined for ReLU, which has kernels of its own. */
  private readonly act: ActivationCode | undefined;
  private readonly vb: number;
  /** Per job, the epoch's training loss so far. */
  private readonly lossAcc: Float64Array;
  private disposed = false;

  constructor(
    private readonly lay: DenseLayout,
    private readonly buf: Buffers,
    private readonly inst: Instance,
    w0: Float32Array,
    s0: Float32Array[],
  ) {
    this.k = inst.kernels;
    this.f = new Float32Array(this.k.memory.buffer);
    this.act = lay.act === 'relu' ? undefined : ActivationCode[lay.act];
    this.vb = Math.min(lay.vMax, VAL_CHUNK);
    this.lossAcc = new Float64Array(lay.P);
    this.f.set(w0, at(buf.W));
    s0.forEach((s, j) => this.f.set(s, at(buf.S[j]!)));
  }

  runEpoch(plan: EpochPlan, stopped: () => boolean): boolean {
    const { P, B } = this.lay;
    this.lossAcc.fill(0);
    for (let st = 0; st < plan.nSteps; st++) {
      if (stopped()) return false;
      for (let p = 0; p < P; p++) {
        const base = (st * P + p) * B;
        let rows = 0;
        while (rows < B && plan.scale[base + rows]! > 0) rows++;
        if (rows > 0) this.stepJob(plan, st, p, base, rows);
      }
    }
    return true;
  }

  epochStats(): Float32Array {
    const { P, C, cls, vMax, vScale, vLabel, yVal, nVal } = this.lay;
    const { f, vb } = this;
    const stats = new Float32Array(3 * P);
    for (let p = 0; p < P; p++) {
      stats[p] = this.lossAcc[p]!;
      let vl = 0;
      let vs = 0;
      for (let r0 = 0; r0 < nVal[p]!; r0 += vb) {
        const rows = Math.min(vb, nVal[p]! - r0);
        const out = at(this.forwardVal(p, r0, rows));
        for (let j = 0; j < rows; j++) {
          const v = p * vMax + r0 + j;
          const w = vScale[v]!;
          if (cls) {
            let max = -Infinity;
            let arg = 0;
            for (let c = 0; c < C; c++) {
              const o = f[out + j * C + c]!;
              if (o > max) {
                max = o;
                arg = c;
              }
            }
            let sum = 0;
            for (let c = 0; c < C; c++) sum += Math.exp(f[out + j * C + c]! - max);
            const label = vLabel[v]!;
            vl -= Math.log(Math.max(Math.exp(f[out + j * C + label]! - max) / sum, EPS)) * w;
            if (arg === label) vs += w;
          } else {
            const diff = f[out + j]! - yVal[v]!;
            vl += diff * diff * w;
          }
        }
      }
      stats[P + p] = vl;
      stats[2 * P + p] = cls ? vs : -vl;
    }
    return stats;
  }

  weights(): Float32Array {
    const { P, T } = this.lay;
    return this.f.slice(at(this.buf.W), at(this.buf.W) + P * T);
  }

  optState(): Float32Array[] {
    const { P, T } = this.lay;
    return this.buf.S.map((s) => this.f.slice(at(s), at(s) + P * T));
  }

  valOutputs(): Float32Array {
    const { P, C, cls, vMax, nVal } = this.lay;
    const { f, vb } = this;
    const res = new Float32Array(P * vMax * C);
    for (let p = 0; p < P; p++) {
      for (let r0 = 0; r0 < nVal[p]!; r0 += vb) {
        const rows = Math.min(vb, nVal[p]! - r0);
        const out = at(this.forwardVal(p, r0, rows));
        const o = (p * vMax + r0) * C;
        if (!cls) {
          res.set(f.subarray(out, out + rows), o);
          continue;
        }
        for (let j = 0; j < rows; j++) {
          let max = -Infinity;
          for (let c = 0; c < C; c++) max = Math.max(max, f[out + j * C + c]!);
          let sum = 0;
          for (let c = 0; c < C; c++) sum += Math.exp(f[out + j * C + c]! - max);
          for (let c = 0; c < C; c++) res[o + j * C + c] = Math.exp(f[out + j * C + c]! - max) / sum;
        }
      }
    }
    return res;
  }

  /** Hands the kernels instance back to this thread's idle ones; the engine must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    idle.push(this.inst);
  }

  /** Forward pass of job p over `rows` rows of `pass`; returns the output pointer. */
  private forward(p: number, rows: number, pass: Pass): number {
    const { k, act } = this;
    const { dims, L, T, offsets } = this.lay;
    const { z, a, h, m } = pass;
    let hin = pass.x;
    for (let l = 0; l < L; l++) {
      k.mm(rows, dims[l]! + 1, dims[l + 1]!, hin, this.buf.W + (p * T + offsets[l]!) * 4, z[l]!);
      if (l === L - 1) break;
      if (act !== undefined) k.activationForward(act, rows, dims[l + 1]!, z[l]!, a[l]!, h[l]!, m[l]!);
      else k.reluForward(rows, dims[l + 1]!, z[l]!, a[l]!, h[l]!, m[l]!);
      hin = h[l]!;
    }
    return z[L - 1]!;
  }

  /** Forward pass of job p's validation rows r0 … r0 + rows; returns the output pointer. */
  private forwardVal(p: number, r0: number, rows: number): number {
    const { F, vMax, xVal } = this.lay;
    const src = (p * vMax + r0) * (F + 1);
    this.f.set(xVal.subarray(src, src + rows * (F + 1)), at(this.buf.val.x));
    return this.forward(p, rows, this.buf.val);
  }

  /** One optimizer step of job p on `rows` rows gathered at plan position `base` (step st). */
  private stepJob(plan: EpochPlan, st: number, p: number, base: number, rows: number): void {
    const { k, f, act, lossAcc } = this;
    const { P, F, C, dims, L, opt, cls, sizes, offsets, T, xAll, yAll, anyDropout } = this.lay;
    const { W, S, G, Y, PT, D, DH, WT, train } = this.buf;
    const { x: X, z: Z, a: A, h: H, m: M } = train;
    for (let j = 0; j < rows; j++) {
      const src = plan.idx[base + j]!;
      copyIn(f, xAll, src * (F + 1), F + 1, at(X) + j * (F + 1));
      if (cls) copyIn(f, yAll, src * C, C, at(Y) + j * C);
    }
    if (anyDropout) {
      for (let l = 0; l < L - 1; l++) {
        const u = dims[l + 1]!;
        copyIn(f, plan.dmasks[l]!, base * u, rows * u, at(M[l]!));
      }
    }
    const out = this.forward(p, rows, train);
    const sc = plan.scale[base]!;
    if (cls) {
      k.softmaxCrossEntropy(rows, C, out, Y, sc, D[0], PT);
      for (let j = 0; j < rows; j++)
        lossAcc[p]! -= Math.log(Math.max(f[at(PT) + j]!, EPS)) * plan.lossW[base + j]!;
    } else {
      const o = at(out);
      const d0 = at(D[0]);
      for (let j = 0; j < rows; j++) {
        const diff = f[o + j]! - yAll[plan.idx[base + j]!]!;
        f[d0 + j] = 2 * diff * sc;
        lossAcc[p]! += diff * diff * plan.lossW[base + j]!;
      }
    }
    let cur = 0;
    for (let l = L - 1; l >= 0; l--) {
      const fin = dims[l]!;
      const fout = dims[l + 1]!;
      k.mmTN(rows, fin + 1, fout, l === 0 ? X : H[l - 1]!, D[cur]!, G + offsets[l]! * 4);
      if (l === 0) break;
      k.transpose(fin, fout, W + (p * T + offsets[l]!) * 4, WT);
      k.mm(rows, fout, fin, D[cur]!, WT, DH);
      if (act !== undefined) k.activationBackward(act, rows * fin, DH, A[l - 1]!, M[l - 1]!, D[1 - cur]!);
      else k.reluBackward(rows * fin, DH, Z[l - 1]!, M[l - 1]!, D[1 - cur]!);
      cur = 1 - cur;
    }
    const ci = st * P + p;
    const decay = plan.decay[ci]!;
    if (decay > 0) {
      for (let l = 0; l < L; l++)
        k.axpy(sizes[l]! - dims[l + 1]!, decay, W + (p * T + offsets[l]!) * 4, G + offsets[l]! * 4);
    }
    const wp = W + p * T * 4;
    const c0 = plan.coef[0]![ci]!;
    const c1 = plan.coef[1]![ci]!;
    if (opt === 'adam')
      k.adam(T, wp, G, S[0]! + p * T * 4, S[1]! + p * T * 4, c0, c1, plan.coef[2]![ci]!, ADAM_EPSILON);
    else if (opt === 'sgd') k.sgd(T, wp, G, S[0]! + p * T * 4, c0, this.lay.momentum[p]!);
    else k.rmsprop(T, wp, G, S[0]! + p * T * 4, c0, c1, EPS);
  }
}

/**
 * The dense engine on foldwise's WebAssembly SIMD kernels (./kernels.wat): matrix products, activations and their
 * derivatives, weight transposes, weight decay, the softmax cross-entropy gradient and optimizer updates all run as
 * SIMD loops in one instance's memory; JavaScript gathers each step's rows and sums the losses. No tensors, no
 * per-operation dispatch, no allocation per step: one job after another, each with exactly the arithmetic of
 * training it alone.
 */
export async function createSimdEngine(
  lay: DenseLayout,
  w0: Float32Array,
  s0: Float32Array[],
): Promise<DenseEngine> {
  const buf = reserveBuffers(lay, s0.length);
  return new SimdEngine(lay, buf, await takeInstance(buf.bytes), w0, s0);
}
