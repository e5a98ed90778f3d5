import * as tf from '@tensorflow/tfjs';
import { decodeCheckpoint, encodeCheckpoint, type NamedArray } from './checkpoint';
import type { Activation, OptimizerName } from './families';
import { abortError, type PreparedJob } from './job';
import { Rng, glorotUniform } from './rng';
import type { EpochReport, TrainHooks, TrainResult } from './types';

const BETA1 = 0.9;
const BETA2 = 0.999;
const RHO = 0.9;
const EPS = 1e-7;

/** Per-job outcome of a packed run: a result, or the error that job failed with. */
export type PackedOutcome = { ok: true; result: TrainResult; weights?: Float32Array[] } | { ok: false; error: Error };

interface DenseState {
  epoch: number;
  t: number;
  shuffle: number[];
  drop: number[];
  best: number;
  wait: number;
  stoppedEarly: boolean;
  curve: EpochReport[];
  samples: number;
  layers: number[];
}

interface Slot {
  prep: PreparedJob;
  hooks: TrainHooks;
  st: DenseState;
  shuffleRng: Rng;
  dropRng: Rng;
  active: boolean;
  error?: Error;
  trainOffset: number;
}

let transposeStrategy: 'flag' | 'explicit' = 'explicit';
let batchedStrategy: 'auto' | 'batched' | 'split' = 'auto';

/** Chooses how packed (P > 1) matmuls run: one batched matMul, P two-dimensional ones, or `auto` (split on wasm/cpu, whose batched matMul is a slow loop). */
export function setBatchedStrategy(s: 'auto' | 'batched' | 'split'): void {
  batchedStrategy = s;
}

function useBatched(): boolean {
  if (batchedStrategy !== 'auto') return batchedStrategy === 'batched';
  const b = tf.getBackend();
  return b !== 'wasm' && b !== 'cpu';
}

/** Chooses how transposed matmuls are issued (`flag`: matMul's transpose arguments; `explicit`: tf.transpose first). */
export function setTransposeStrategy(s: 'flag' | 'explicit'): void {
  transposeStrategy = s;
}

function mm(a: tf.Tensor, b: tf.Tensor, ta = false, tb = false): tf.Tensor {
  if (a.rank === 2) {
    return transposeStrategy === 'flag'
      ? tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb)
      : tf.matMul(ta ? a.transpose() : a, tb ? b.transpose() : b);
  }
  if (useBatched()) {
    return transposeStrategy === 'flag'
      ? tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, ta, tb)
      : tf.matMul(ta ? a.transpose([0, 2, 1]) : a, tb ? b.transpose([0, 2, 1]) : b);
  }
  const as = tf.unstack(ta ? a.transpose([0, 2, 1]) : a);
  const bs = tf.unstack(tb ? b.transpose([0, 2, 1]) : b);
  return tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i]!)));
}

function activate(z: tf.Tensor, act: Activation): tf.Tensor {
  switch (act) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'elu':
      return tf.elu(z);
  }
}

function activationGrad(z: tf.Tensor, a: tf.Tensor, act: Activation): tf.Tensor {
  switch (act) {
    case 'relu':
      return tf.step(z);
    case 'tanh':
      return tf.sub(1, tf.square(a));
    case 'sigmoid':
      return tf.mul(a, tf.sub(1, a));
    case 'elu':
      return tf.minimum(tf.add(a, 1), 1);
  }
}

function withOnes(x: Float32Array, rows: number, cols: number, out: Float32Array, outOffset: number): void {
  for (let r = 0; r < rows; r++) {
    out.set(x.subarray(r * cols, (r + 1) * cols), outOffset + r * (cols + 1));
    out[outOffset + r * (cols + 1) + cols] = 1;
  }
}

function initState(prep: PreparedJob, dims: number[]): { st: DenseState; weights: Float32Array[]; opt: Float32Array[][] } {
  const seed = prep.job.seed;
  const nOpt = optSlots(prep.tp.optimizer);
  if (prep.job.resumeFrom) {
    const { state, arrays } = decodeCheckpoint<DenseState>(prep.job.resumeFrom.bytes);
    if (!Array.isArray(state.layers) || state.layers.join(',') !== dims.join(',')) {
      throw new Error(`resumeFrom: checkpoint layer sizes [${String(state.layers)}] differ from the job's [${dims.join(',')}]`);
    }
    const weights: Float32Array[] = [];
    const opt: Float32Array[][] = [];
    for (let l = 0; l < dims.length - 1; l++) {
      const w = arrays.get(`w${l}`);
      if (!w) throw new Error(`resumeFrom: checkpoint lacks weights of layer ${l}`);
      weights.push(new Float32Array(w.data));
      const slots: Float32Array[] = [];
      for (let k = 0; k < nOpt; k++) {
        const s = arrays.get(`o${l}_${k}`);
        if (!s) throw new Error(`resumeFrom: checkpoint lacks ${prep.tp.optimizer} state ${k} of layer ${l}`);
        slots.push(new Float32Array(s.data));
      }
      opt.push(slots);
    }
    return { st: { ...state, curve: [...state.curve] }, weights, opt };
  }
  const rng = new Rng(seed, 0);
  const weights: Float32Array[] = [];
  const opt: Float32Array[][] = [];
  for (let l = 0; l < dims.length - 1; l++) {
    const fin = dims[l]!;
    const fout = dims[l + 1]!;
    const w = new Float32Array((fin + 1) * fout);
    w.set(glorotUniform(rng, [fin, fout]));
    weights.push(w);
    opt.push(Array.from({ length: nOpt }, () => new Float32Array((fin + 1) * fout)));
  }
  const shuffle = new Rng(seed, 1).state();
  const drop = new Rng(seed, 2).state();
  return {
    st: { epoch: 0, t: 0, shuffle, drop, best: Infinity, wait: 0, stoppedEarly: false, curve: [], samples: 0, layers: dims },
    weights,
    opt,
  };
}

function optSlots(o: OptimizerName): number {
  return o === 'adam' ? 2 : 1;
}

/** Trains jobs of one dense architecture as one batched computation; each job gets its own outcome. */
export async function trainDensePacked(
  preps: PreparedJob[],
  hooks: TrainHooks[],
  backend: string,
  opts: { captureWeights?: boolean } = {},
): Promise<PackedOutcome[]> {
  const t0 = performance.now();
  const first = preps[0];
  if (!first?.dense) throw new Error('jobs: trainDensePacked needs at least one dense job');
  const P = preps.length;
  const F = first.job.nFeatures;
  const C = first.outDim;
  const dims = [F, ...first.dense.units];
  const L = dims.length - 1;
  const act = first.dense.activation;
  const B = first.tp.batchSize;
  const opt = first.tp.optimizer;
  const cls = first.job.task === 'classification';
  const anyDropout = preps.some((p) => (p.dense?.dropout ?? 0) > 0);
  const anyL2 = preps.some((p) => p.tp.l2 > 0);

  const slots: Slot[] = [];
  const w0: Float32Array[][] = Array.from({ length: L }, () => []);
  const o0: Float32Array[][][] = Array.from({ length: L }, () => Array.from({ length: optSlots(opt) }, () => []));
  let trainOffset = 0;
  for (let p = 0; p < P; p++) {
    const prep = preps[p]!;
    const { st, weights, opt: os } = initState(prep, dims);
    for (let l = 0; l < L; l++) {
      w0[l]!.push(weights[l]!);
      os[l]!.forEach((s, k) => o0[l]![k]!.push(s));
    }
    slots.push({
      prep,
      hooks: hooks[p] ?? {},
      st,
      shuffleRng: Rng.fromState(st.shuffle),
      dropRng: Rng.fromState(st.drop),
      active: !st.stoppedEarly && st.epoch < prep.stopAt,
      trainOffset,
    });
    trainOffset += prep.nTrain;
  }
  const nAll = trainOffset;
  const vMax = Math.max(1, ...preps.map((p) => p.nVal));

  const xAllBuf = new Float32Array(nAll * (F + 1));
  const yAllBuf = new Float32Array(nAll * C);
  const xValBuf = new Float32Array(P * vMax * (F + 1));
  const yValBuf = new Float32Array(P * vMax * C);
  const vScaleBuf = new Float32Array(P * vMax);
  const vLabelBuf = new Int32Array(P * vMax).fill(-1);
  slots.forEach((s, p) => {
    const { job, nTrain, nVal } = s.prep;
    withOnes(job.xTrain, nTrain, F, xAllBuf, s.trainOffset * (F + 1));
    withOnes(job.xVal, nVal, F, xValBuf, p * vMax * (F + 1));
    for (let i = 0; i < nTrain; i++) {
      if (cls) yAllBuf[(s.trainOffset + i) * C + job.yTrain[i]!] = 1;
      else yAllBuf[s.trainOffset + i] = job.yTrain[i]!;
    }
    for (let i = 0; i < nVal; i++) {
      if (cls) {
        yValBuf[(p * vMax + i) * C + job.yVal[i]!] = 1;
        vLabelBuf[p * vMax + i] = job.yVal[i]!;
      } else yValBuf[p * vMax + i] = job.yVal[i]!;
      vScaleBuf[p * vMax + i] = 1 / nVal;
    }
  });

  const keep: tf.Tensor[] = [];
  const k = <T extends tf.Tensor>(t: T): T => {
    keep.push(t);
    return t;
  };
  const lead = (shape: number[]): number[] => (P === 1 ? shape.slice(1) : shape);
  const ax = (a: number): number => (P === 1 ? a - 1 : a);
  const xVal = k(tf.tensor(xValBuf, lead([P, vMax, F + 1])));
  const yVal = k(tf.tensor(yValBuf, lead([P, vMax, C])));
  const vScale = k(tf.tensor(vScaleBuf, lead([P, vMax, 1])));
  const vLabel = k(tf.tensor(vLabelBuf, lead([P, vMax]), 'int32'));
  const ones = k(tf.ones(lead([P, B, 1])));
  const valOnes = k(tf.ones(lead([P, vMax, 1])));
  const sizes = dims.slice(0, -1).map((fin, l) => (fin + 1) * dims[l + 1]!);
  const offsets = sizes.map((_, l) => sizes.slice(0, l).reduce((a, b) => a + b, 0));
  const T = sizes.reduce((a, b) => a + b, 0);
  const l2flat = anyL2
    ? (() => {
        const buf = new Float32Array(P * T);
        preps.forEach((pr, p) => sizes.forEach((size, l) => buf.fill(2 * pr.tp.l2, p * T + offsets[l]!, p * T + offsets[l]! + size - dims[l + 1]!)));
        return k(tf.tensor(buf, lead([P, T])));
      })()
    : undefined;
  const momentum = k(tf.tensor(Float32Array.from(preps, (pr) => 1 - pr.tp.momentum), lead([P, 1])));

  const flatOf = (perLayer: Float32Array[][]): tf.Tensor => {
    const buf = new Float32Array(P * T);
    perLayer.forEach((parts, l) => parts.forEach((a, p) => buf.set(a, p * T + offsets[l]!)));
    return tf.tensor(buf, lead([P, T]));
  };
  let W: tf.Tensor = flatOf(w0);
  let S: tf.Tensor[] = Array.from({ length: optSlots(opt) }, (_, j) => flatOf(o0.map((perSlot) => perSlot[j]!)));
  const views = (flat: tf.Tensor): tf.Tensor[] =>
    sizes.map((size, l) =>
      (P === 1 ? flat.slice([offsets[l]!], [size]) : flat.slice([0, offsets[l]!], [P, size])).reshape(lead([P, dims[l]! + 1, dims[l + 1]!])),
    );
  const layerOf = (flat: Float32Array, p: number, l: number): Float32Array =>
    flat.subarray(p * T + offsets[l]!, p * T + offsets[l]! + sizes[l]!);

  const forward = (W: tf.Tensor[], x: tf.Tensor, dmasks: tf.Tensor[] | undefined, onesT: tf.Tensor) => {
    const zs: tf.Tensor[] = [];
    const as: tf.Tensor[] = [];
    const hs: tf.Tensor[] = [x];
    let h = x;
    for (let l = 0; l < L; l++) {
      const z = mm(h, W[l]!);
      zs.push(z);
      if (l === L - 1) break;
      const a = activate(z, act);
      as.push(a);
      const hd = dmasks ? tf.mul(a, dmasks[l]!) : a;
      h = tf.concat([hd, onesT], ax(2));
      hs.push(h);
    }
    return { zs, as, hs, out: zs[L - 1]! };
  };

  const step = (Wf: tf.Tensor, S: tf.Tensor[], x: tf.Tensor, y: tf.Tensor, scale: tf.Tensor, coef: tf.Tensor[], dmasks: tf.Tensor[] | undefined) => {
    const W = views(Wf);
    const { zs, as, hs, out } = forward(W, x, dmasks, ones);
    let dZ: tf.Tensor;
    let lossP: tf.Tensor;
    if (cls) {
      const prob = tf.softmax(out);
      dZ = tf.mul(tf.sub(prob, y), scale);
      lossP = tf.sum(tf.mul(prob, y), ax(2));
    } else {
      const diff = tf.sub(out, y);
      dZ = tf.mul(diff, tf.mul(scale, 2));
      lossP = tf.sum(tf.square(diff), ax(2));
    }
    const gs: tf.Tensor[] = new Array<tf.Tensor>(L);
    for (let l = L - 1; l >= 0; l--) {
      gs[l] = mm(hs[l]!, dZ, true, false).reshape(lead([P, sizes[l]!]));
      if (l > 0) {
        const full = mm(dZ, W[l]!, false, true);
        const dh = P === 1 ? full.slice([0, 0], [B, dims[l]!]) : full.slice([0, 0, 0], [P, B, dims[l]!]);
        const dmask = dmasks?.[l - 1];
        const back = tf.mul(dh, activationGrad(zs[l - 1]!, as[l - 1]!, act));
        dZ = dmask ? tf.mul(back, dmask) : back;
      }
    }
    let g = L === 1 ? gs[0]! : tf.concat(gs, ax(1));
    if (l2flat) g = tf.add(g, tf.mul(l2flat, Wf));
    let newW: tf.Tensor;
    let newS: tf.Tensor[];
    if (opt === 'adam') {
      const [lrt, c1, c2] = coef as [tf.Tensor, tf.Tensor, tf.Tensor];
      const m = tf.add(S[0]!, tf.mul(c1, tf.sub(g, S[0]!)));
      const v = tf.add(S[1]!, tf.mul(c2, tf.sub(tf.square(g), S[1]!)));
      newW = tf.sub(Wf, tf.mul(lrt, tf.div(m, tf.add(tf.sqrt(v), EPS))));
      newS = [m, v];
    } else if (opt === 'sgd') {
      const [lrt, mask] = coef as [tf.Tensor, tf.Tensor];
      const a = tf.add(S[0]!, tf.mul(mask, tf.sub(g, tf.mul(momentum, S[0]!))));
      newW = tf.sub(Wf, tf.mul(lrt, a));
      newS = [a];
    } else {
      const [lrt, c2] = coef as [tf.Tensor, tf.Tensor];
      const ms = tf.add(S[0]!, tf.mul(c2, tf.sub(tf.square(g), S[0]!)));
      newW = tf.sub(Wf, tf.mul(lrt, tf.div(g, tf.sqrt(tf.add(ms, EPS)))));
      newS = [ms];
    }
    return { newW, newS, lossP };
  };

  const evaluate = (perStep: tf.Tensor[], lossW: tf.Tensor): Float32Array =>
    tf.tidy(() => {
      const st = tf.stack(perStep);
      const lossAcc = cls
        ? tf.neg(tf.sum(tf.mul(tf.log(tf.maximum(st, EPS)), lossW), P === 1 ? undefined : [0, 2]))
        : tf.sum(tf.mul(st, lossW), P === 1 ? undefined : [0, 2]);
      const out = forward(views(W), xVal, undefined, valOnes).out;
      let vl: tf.Tensor;
      let vs: tf.Tensor;
      if (cls) {
        const prob = tf.softmax(out);
        vl = tf.neg(tf.sum(tf.mul(tf.mul(yVal, tf.log(tf.maximum(prob, EPS))), vScale), [ax(1), ax(2)]));
        const hit = tf.cast(tf.equal(tf.argMax(out, ax(2)), vLabel), 'float32');
        vs = tf.sum(tf.mul(hit, vScale.reshape(lead([P, vMax]))), ax(1));
      } else {
        vl = tf.sum(tf.mul(tf.square(tf.sub(out, yVal)), vScale), [ax(1), ax(2)]);
        vs = tf.neg(vl);
      }
      return tf.stack([lossAcc, vl, vs]).dataSync() as Float32Array;
    });

  const checkpointOf = (p: number, wData: Float32Array, sData: Float32Array[]): Uint8Array => {
    const s = slots[p]!;
    s.st.shuffle = s.shuffleRng.state();
    s.st.drop = s.dropRng.state();
    const arrays: NamedArray[] = [];
    for (let l = 0; l < L; l++) {
      const shape = [dims[l]! + 1, dims[l + 1]!];
      arrays.push({ name: `w${l}`, shape, data: layerOf(wData, p, l) });
      sData.forEach((d, j) => arrays.push({ name: `o${l}_${j}`, shape, data: layerOf(d, p, l) }));
    }
    return encodeCheckpoint(s.st, arrays);
  };

  try {
    while (slots.some((s) => s.active)) {
      const stepsOf = slots.map((s) => (s.active ? Math.ceil(s.prep.nTrain / B) : 0));
      const nSteps = Math.max(...stepsOf);
      const idx = new Int32Array(nSteps * P * B);
      const scale = new Float32Array(nSteps * P * B);
      const lossW = new Float32Array(nSteps * P * B);
      const nCoef = opt === 'adam' ? 3 : 2;
      const coef = Array.from({ length: nCoef }, () => new Float32Array(nSteps * P));
      const units = dims.slice(1, -1);
      const dmaskBufs = anyDropout ? units.map((u) => new Float32Array(nSteps * P * B * u)) : [];
      slots.forEach((s, p) => {
        if (!s.active) return;
        const n = s.prep.nTrain;
        const order = s.shuffleRng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
        const { learningRate: lr } = s.prep.tp;
        const rate = s.prep.dense?.dropout ?? 0;
        for (let st = 0; st < stepsOf[p]!; st++) {
          const from = st * B;
          const count = Math.min(B, n - from);
          const base = (st * P + p) * B;
          for (let j = 0; j < count; j++) {
            idx[base + j] = s.trainOffset + order[from + j]!;
            scale[base + j] = 1 / count;
            lossW[base + j] = 1 / n;
          }
          s.st.t += 1;
          const ci = st * P + p;
          if (opt === 'adam') {
            coef[0]![ci] = (lr * Math.sqrt(1 - BETA2 ** s.st.t)) / (1 - BETA1 ** s.st.t);
            coef[1]![ci] = 1 - BETA1;
            coef[2]![ci] = 1 - BETA2;
          } else if (opt === 'sgd') {
            coef[0]![ci] = lr;
            coef[1]![ci] = 1;
          } else {
            coef[0]![ci] = lr;
            coef[1]![ci] = 1 - RHO;
          }
          if (rate > 0) {
            units.forEach((u, l) => {
              const buf = dmaskBufs[l]!;
              const o = base * u;
              for (let j = 0; j < count * u; j++) buf[o + j] = s.dropRng.next() >= rate ? 1 / (1 - rate) : 0;
            });
          } else if (anyDropout) {
            units.forEach((u, l) => dmaskBufs[l]!.fill(1, base * u, (base + B) * u));
          }
          s.st.samples += count;
        }
      });
      const xb = new Float32Array(nSteps * P * B * (F + 1));
      const yb = new Float32Array(nSteps * P * B * C);
      for (let r = 0; r < idx.length; r++) {
        if (scale[r] === 0) continue;
        const src = idx[r]!;
        xb.set(xAllBuf.subarray(src * (F + 1), (src + 1) * (F + 1)), r * (F + 1));
        yb.set(yAllBuf.subarray(src * C, (src + 1) * C), r * C);
      }
      const per = (buf: Float32Array, st: number, shape: number[]): tf.Tensor => {
        const size = shape.reduce((a, b) => a * b, 1);
        return tf.tensor(buf.subarray(st * size, (st + 1) * size), shape);
      };
      const steps = Array.from({ length: nSteps }, (_, st) => ({
        x: per(xb, st, lead([P, B, F + 1])),
        y: per(yb, st, lead([P, B, C])),
        sc: per(scale, st, lead([P, B, 1])),
        cf: coef.map((c) => per(c, st, lead([P, 1]))),
        dm: dmaskBufs.map((buf, l) => per(buf, st, lead([P, B, units[l]!]))),
      }));
      const lossWAll = tf.tensor(lossW, P === 1 ? [nSteps, B] : [nSteps, P, B]);
      const perStep: tf.Tensor[] = [];
      let aborted = false;
      try {
        for (let st = 0; st < nSteps; st++) {
          if (slots.every((s) => !s.active || s.hooks.signal?.aborted)) {
            aborted = true;
            break;
          }
          const r = tf.tidy(() => {
            const b = steps[st]!;
            return step(W, S, b.x, b.y, b.sc, b.cf, anyDropout ? b.dm : undefined);
          });
          tf.dispose([W, ...S]);
          W = r.newW;
          S = r.newS;
          perStep.push(r.lossP);
        }
      } finally {
        tf.dispose(steps.flatMap((b) => [b.x, b.y, b.sc, ...b.cf, ...b.dm]));
      }
      if (aborted) {
        tf.dispose([...perStep, lossWAll]);
        for (const s of slots) {
          if (s.active) {
            s.active = false;
            s.error = abortError(s.hooks.signal);
          }
        }
        break;
      }
      const stats = evaluate(perStep, lossWAll);
      tf.dispose([...perStep, lossWAll]);
      const wantCkpt: number[] = [];
      slots.forEach((s, p) => {
        if (!s.active) return;
        s.st.epoch += 1;
        const report: EpochReport = {
          epoch: s.st.epoch,
          trainLoss: stats[p]!,
          valLoss: s.prep.nVal > 0 ? stats[P + p]! : NaN,
          valScore: s.prep.nVal > 0 ? (cls ? Math.round(stats[2 * P + p]! * s.prep.nVal) / s.prep.nVal : stats[2 * P + p]!) : NaN,
        };
        s.st.curve.push(report);
        s.hooks.onEpoch?.(report);
        const es = s.prep.tp.earlyStopping;
        if (es && s.prep.nVal > 0) {
          if (report.valLoss < s.st.best - es.minDelta) {
            s.st.best = report.valLoss;
            s.st.wait = 0;
          } else if (++s.st.wait >= es.patience) {
            s.st.stoppedEarly = true;
            s.active = false;
          }
        }
        if (s.active && s.st.epoch >= s.prep.stopAt) s.active = false;
        const every = s.hooks.checkpointEvery ?? 0;
        const paused = !s.active && !s.st.stoppedEarly && s.st.epoch < s.prep.totalEpochs;
        if (s.hooks.onCheckpoint && (paused || (every > 0 && s.st.epoch % every === 0))) wantCkpt.push(p);
      });
      if (wantCkpt.length > 0) {
        const wData = W.dataSync() as Float32Array;
        const sData = S.map((t) => t.dataSync() as Float32Array);
        for (const p of wantCkpt) {
          const s = slots[p]!;
          try {
            await s.hooks.onCheckpoint!({ epoch: s.st.epoch, bytes: checkpointOf(p, wData, sData) });
          } catch (e) {
            s.active = false;
            s.error = e instanceof Error ? e : new Error(String(e));
          }
        }
      }
      await new Promise<void>((r) => setImmediate(r));
      for (const s of slots) {
        if (s.active && s.hooks.signal?.aborted) {
          s.active = false;
          s.error = abortError(s.hooks.signal);
        }
      }
    }
    const proba = tf.tidy(() => {
      const out = forward(views(W), xVal, undefined, valOnes).out;
      return (cls ? tf.softmax(out) : out).dataSync() as Float32Array;
    });
    const finalW = opts.captureWeights ? (W.dataSync() as Float32Array) : undefined;
    const durationMs = performance.now() - t0;
    return slots.map((s, p): PackedOutcome => {
      if (s.error) return { ok: false, error: s.error };
      const nVal = s.prep.nVal;
      const rows = proba.subarray(p * vMax * C, (p * vMax + nVal) * C);
      const valPred = new Float64Array(nVal);
      for (let i = 0; i < nVal; i++) {
        if (!cls) {
          valPred[i] = rows[i]!;
          continue;
        }
        let best = 0;
        for (let c = 1; c < C; c++) if (rows[i * C + c]! > rows[i * C + best]!) best = c;
        valPred[i] = best;
      }
      return {
        ok: true,
        result: {
          epochsTrained: s.st.epoch,
          stoppedEarly: s.st.stoppedEarly,
          curve: s.st.curve,
          valPred,
          ...(cls ? { valProba: new Float32Array(rows) } : {}),
          backend,
          samplesTrained: s.st.samples,
          durationMs,
        },
        ...(finalW
          ? { weights: sizes.map((_, l) => layerOf(finalW, p, l).slice()) }
          : {}),
      };
    });
  } finally {
    tf.dispose([...keep, W, ...S]);
  }
}

/** Final dense weights of a job trained alone, as [kernel, bias] pairs per layer (for building a LayersModel). */
export function splitAugmented(w: Float32Array, fin: number, fout: number): { kernel: Float32Array; bias: Float32Array } {
  return { kernel: w.slice(0, fin * fout), bias: w.slice(fin * fout, (fin + 1) * fout) };
}
