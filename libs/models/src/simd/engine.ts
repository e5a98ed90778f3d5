import { ADAM_EPSILON, type DenseEngine, type DenseLayout, EPS, type EpochPlan } from '../dense-engine';
import { ActivationCode, Arena, instantiateKernels } from './kernels';

/** Rows of validation data pushed through the network at once. */
const VAL_CHUNK = 256;

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
  const { P, F, C, dims, L, B, opt, cls, sizes, offsets, T, vMax } = lay;
  const act = lay.act === 'relu' ? undefined : ActivationCode[lay.act];
  const widest = Math.max(...dims.slice(1));
  const vb = Math.min(vMax, VAL_CHUNK);
  const ar = new Arena();
  const W = ar.reserve(P * T);
  const S = s0.map(() => ar.reserve(P * T));
  const G = ar.reserve(T);
  const X = ar.reserve(B * (F + 1));
  const Y = cls ? ar.reserve(B * C) : 0;
  const PT = cls ? ar.reserve(B) : 0;
  const Z = dims.slice(1).map((u) => ar.reserve(B * u));
  const A = act !== undefined ? dims.slice(1, -1).map((u) => ar.reserve(B * u)) : [];
  const H = dims.slice(1, -1).map((u) => ar.reserve(B * (u + 1)));
  const MASK = lay.anyDropout ? dims.slice(1, -1).map((u) => ar.reserve(B * u)) : [];
  const D = [ar.reserve(B * widest), ar.reserve(B * widest)];
  const DH = ar.reserve(B * widest);
  const WT = ar.reserve(Math.max(1, ...sizes));
  const VX = ar.reserve(vb * (F + 1));
  const VZ = dims.slice(1).map((u) => ar.reserve(vb * u));
  const VH = dims.slice(1, -1).map((u) => ar.reserve(vb * (u + 1)));
  const k = await instantiateKernels(ar.bytes);
  const f = new Float32Array(k.memory.buffer);
  const at = (ptr: number): number => ptr >> 2;
  f.set(w0, at(W));
  s0.forEach((s, j) => f.set(s, at(S[j]!)));
  const lossAcc = new Float64Array(P);

  /** Hidden layer l's activation of `rows` rows of Z into A (unless 0) and into H, times the mask at M (unless 0), with the ones column. */
  const activate = (rows: number, l: number, z: number, a: number, h: number, m: number): void => {
    if (act !== undefined) k.activationForward(act, rows, dims[l + 1]!, z, a, h, m);
    else k.reluForward(rows, dims[l + 1]!, z, a, h, m);
  };

  /** Copies `n` values of `src` from `from` to float index `to` of the instance's memory (a loop: no subarray per call). */
  const copyIn = (src: Float32Array, from: number, n: number, to: number): void => {
    for (let i = 0; i < n; i++) f[to + i] = src[from + i]!;
  };

  /** Forward pass of job p over `rows` rows at `x` (A buffers and masks only in training); returns the output pointer. */
  const forward = (
    p: number,
    rows: number,
    x: number,
    z: readonly number[],
    a: readonly number[] | undefined,
    h: readonly number[],
    masks: readonly number[],
  ): number => {
    let hin = x;
    for (let l = 0; l < L; l++) {
      k.mm(rows, dims[l]! + 1, dims[l + 1]!, hin, W + (p * T + offsets[l]!) * 4, z[l]!);
      if (l === L - 1) break;
      activate(rows, l, z[l]!, a?.[l] ?? 0, h[l]!, masks[l] ?? 0);
      hin = h[l]!;
    }
    return z[L - 1]!;
  };

  /** One optimizer step of job p on `rows` rows gathered at plan position `base` (step st). */
  const stepJob = (plan: EpochPlan, st: number, p: number, base: number, rows: number): void => {
    for (let j = 0; j < rows; j++) {
      const src = plan.idx[base + j]!;
      copyIn(lay.xAll, src * (F + 1), F + 1, at(X) + j * (F + 1));
      if (cls) copyIn(lay.yAll, src * C, C, at(Y) + j * C);
    }
    for (let l = 0; l < MASK.length; l++) {
      const u = dims[l + 1]!;
      copyIn(plan.dmasks[l]!, base * u, rows * u, at(MASK[l]!));
    }
    const out = forward(p, rows, X, Z, A, H, MASK);
    const sc = plan.scale[base]!;
    if (cls) {
      k.softmaxCrossEntropy(rows, C, out, Y, sc, D[0]!, PT);
      for (let j = 0; j < rows; j++)
        lossAcc[p]! -= Math.log(Math.max(f[at(PT) + j]!, EPS)) * plan.lossW[base + j]!;
    } else {
      const o = at(out);
      const d0 = at(D[0]!);
      for (let j = 0; j < rows; j++) {
        const diff = f[o + j]! - lay.yAll[plan.idx[base + j]!]!;
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
      const m = MASK[l - 1] ?? 0;
      if (act !== undefined) k.activationBackward(act, rows * fin, DH, A[l - 1]!, m, D[1 - cur]!);
      else k.reluBackward(rows * fin, DH, Z[l - 1]!, m, D[1 - cur]!);
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
    else if (opt === 'sgd') k.sgd(T, wp, G, S[0]! + p * T * 4, c0, lay.momentum[p]!);
    else k.rmsprop(T, wp, G, S[0]! + p * T * 4, c0, c1, EPS);
  };

  /** Runs job p's validation rows through the network in chunks, handing each chunk's output to `visit`. */
  const eachValChunk = (p: number, visit: (row: number, rows: number, out: number) => void): void => {
    const n = lay.nVal[p]!;
    for (let r0 = 0; r0 < n; r0 += vb) {
      const rows = Math.min(vb, n - r0);
      const src = (p * vMax + r0) * (F + 1);
      f.set(lay.xVal.subarray(src, src + rows * (F + 1)), at(VX));
      visit(r0, rows, at(forward(p, rows, VX, VZ, undefined, VH, [])));
    }
  };

  return {
    backend: 'wasm-simd',
    runEpoch(plan: EpochPlan, stopped: () => boolean): boolean {
      lossAcc.fill(0);
      for (let st = 0; st < plan.nSteps; st++) {
        if (stopped()) return false;
        for (let p = 0; p < P; p++) {
          const base = (st * P + p) * B;
          let rows = 0;
          while (rows < B && plan.scale[base + rows]! > 0) rows++;
          if (rows > 0) stepJob(plan, st, p, base, rows);
        }
      }
      return true;
    },
    epochStats(): Float32Array {
      const stats = new Float32Array(3 * P);
      for (let p = 0; p < P; p++) {
        stats[p] = lossAcc[p]!;
        let vl = 0;
        let vs = 0;
        eachValChunk(p, (r0, rows, out) => {
          for (let j = 0; j < rows; j++) {
            const v = p * vMax + r0 + j;
            const w = lay.vScale[v]!;
            if (cls) {
              let max = -Infinity;
              let arg = 0;
              for (let c = 0; c < C; c++) {
                const o = f[out + j * C + c]!;
                if (o > max) [max, arg] = [o, c];
              }
              let sum = 0;
              for (let c = 0; c < C; c++) sum += Math.exp(f[out + j * C + c]! - max);
              const label = lay.vLabel[v]!;
              vl -= Math.log(Math.max(Math.exp(f[out + j * C + label]! - max) / sum, EPS)) * w;
              if (arg === label) vs += w;
            } else {
              const diff = f[out + j]! - lay.yVal[v]!;
              vl += diff * diff * w;
            }
          }
        });
        stats[P + p] = vl;
        stats[2 * P + p] = cls ? vs : -vl;
      }
      return stats;
    },
    weights: () => f.slice(at(W), at(W) + P * T),
    optState: () => S.map((s) => f.slice(at(s), at(s) + P * T)),
    valOutputs(): Float32Array {
      const res = new Float32Array(P * vMax * C);
      for (let p = 0; p < P; p++) {
        eachValChunk(p, (r0, rows, out) => {
          const o = (p * vMax + r0) * C;
          if (!cls) {
            res.set(f.subarray(out, out + rows), o);
            return;
          }
          for (let j = 0; j < rows; j++) {
            let max = -Infinity;
            for (let c = 0; c < C; c++) max = Math.max(max, f[out + j * C + c]!);
            let sum = 0;
            for (let c = 0; c < C; c++) sum += Math.exp(f[out + j * C + c]! - max);
            for (let c = 0; c < C; c++) res[o + j * C + c] = Math.exp(f[out + j * C + c]! - max) / sum;
          }
        });
      }
      return res;
    },
    dispose(): void {
      lossAcc.fill(0);
    },
  };
}
