import { ADAM_EPSILON, type DenseEngine, type DenseLayout, EPS, type EpochPlan } from '../dense-engine';
import type { Activation } from '../families';
import { Arena, instantiateKernels } from './kernels';

/** Rows of validation data pushed through the network at once. */
const VAL_CHUNK = 256;

/** Element-wise activation and its derivative (from the pre-activation z and the activation a), for the non-ReLU cases. */
const activations: Record<
  Exclude<Activation, 'relu'>,
  { f: (z: number) => number; grad: (z: number, a: number) => number }
> = {
  tanh: { f: Math.tanh, grad: (_z, a) => 1 - a * a },
  sigmoid: { f: (z) => 1 / (1 + Math.exp(-z)), grad: (_z, a) => a * (1 - a) },
  elu: { f: (z) => (z > 0 ? z : Math.expm1(z)), grad: (_z, a) => Math.min(a + 1, 1) },
};

/**
 * The dense engine on foldwise's WebAssembly SIMD kernels (./kernels.wat): matrix products and optimizer updates run
 * as SIMD loops in one instance's memory, the element-wise work in plain loops over views of it. No tensors, no
 * per-operation dispatch: one job after another per step, each with exactly the arithmetic of training it alone.
 */
export async function createSimdEngine(
  lay: DenseLayout,
  w0: Float32Array,
  s0: Float32Array[],
): Promise<DenseEngine> {
  const { P, F, C, dims, L, B, opt, cls, sizes, offsets, T, vMax } = lay;
  const act = lay.act === 'relu' ? undefined : activations[lay.act];
  const widest = Math.max(...dims.slice(1));
  const vb = Math.min(vMax, VAL_CHUNK);
  const ar = new Arena();
  const W = ar.reserve(P * T);
  const S = s0.map(() => ar.reserve(P * T));
  const G = ar.reserve(T);
  const X = ar.reserve(B * (F + 1));
  const Z = dims.slice(1).map((u) => ar.reserve(B * u));
  const A = act ? dims.slice(1, -1).map((u) => ar.reserve(B * u)) : [];
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
    const u = dims[l + 1]!;
    if (!act) {
      k.reluForward(rows, u, z, a, h, m);
      return;
    }
    const [zi, ai, hi, mi] = [at(z), at(a), at(h), at(m)];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < u; c++) {
        const q = r * u + c;
        const v = act.f(f[zi + q]!);
        if (a) f[ai + q] = v;
        f[hi + r * (u + 1) + c] = m ? v * f[mi + q]! : v;
      }
      f[hi + r * (u + 1) + u] = 1;
    }
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
    const xs = at(X);
    for (let j = 0; j < rows; j++) {
      const src = plan.idx[base + j]!;
      f.set(lay.xAll.subarray(src * (F + 1), (src + 1) * (F + 1)), xs + j * (F + 1));
    }
    MASK.forEach((m, l) => {
      const u = dims[l + 1]!;
      f.set(plan.dmasks[l]!.subarray(base * u, (base + rows) * u), at(m));
    });
    const out = at(forward(p, rows, X, Z, A, H, MASK));
    const d0 = at(D[0]!);
    const sc = plan.scale[base]!;
    for (let j = 0; j < rows; j++) {
      const y = plan.idx[base + j]! * C;
      const lw = plan.lossW[base + j]!;
      if (cls) {
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, f[out + j * C + c]!);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(f[out + j * C + c]! - max);
        let pTrue = 0;
        for (let c = 0; c < C; c++) {
          const prob = Math.exp(f[out + j * C + c]! - max) / sum;
          const yc = lay.yAll[y + c]!;
          pTrue += prob * yc;
          f[d0 + j * C + c] = (prob - yc) * sc;
        }
        lossAcc[p]! -= Math.log(Math.max(pTrue, EPS)) * lw;
      } else {
        const diff = f[out + j]! - lay.yAll[y]!;
        f[d0 + j] = 2 * diff * sc;
        lossAcc[p]! += diff * diff * lw;
      }
    }
    let cur = 0;
    for (let l = L - 1; l >= 0; l--) {
      const fin = dims[l]!;
      const fout = dims[l + 1]!;
      k.mmTN(rows, fin + 1, fout, l === 0 ? X : H[l - 1]!, D[cur]!, G + offsets[l]! * 4);
      if (l === 0) break;
      const w = at(W) + p * T + offsets[l]!;
      const wt = at(WT);
      for (let i = 0; i < fin; i++) for (let o = 0; o < fout; o++) f[wt + o * fin + i] = f[w + i * fout + o]!;
      k.mm(rows, fout, fin, D[cur]!, WT, DH);
      const m = MASK[l - 1] ?? 0;
      if (!act) k.reluBackward(rows * fin, DH, Z[l - 1]!, m, D[1 - cur]!);
      else {
        const [next, dh, z, a, mi] = [at(D[1 - cur]!), at(DH), at(Z[l - 1]!), at(A[l - 1]!), at(m)];
        for (let q = 0; q < rows * fin; q++) {
          const g = f[dh + q]! * act.grad(f[z + q]!, f[a + q]!);
          f[next + q] = m ? g * f[mi + q]! : g;
        }
      }
      cur = 1 - cur;
    }
    const ci = st * P + p;
    const decay = plan.decay[ci]!;
    if (decay > 0) {
      const g = at(G);
      const w = at(W) + p * T;
      for (let l = 0; l < L; l++) {
        const end = offsets[l]! + sizes[l]! - dims[l + 1]!;
        for (let i = offsets[l]!; i < end; i++) f[g + i] = f[g + i]! + decay * f[w + i]!;
      }
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
