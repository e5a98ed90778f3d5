import { checkpointDue, decodeCheckpoint, encodeCheckpoint, type NamedArray } from './checkpoint';
import {
  BETA1,
  BETA2,
  type DenseEngine,
  type DenseLayout,
  type EpochPlan,
  RHO,
  optSlots,
} from './dense-engine';
import { createTfjsEngine } from './dense-tfjs';
import { abortError, type PreparedJob } from './job';
import { type Activation, type DenseSpec, l2Decay, learningRateAt } from './families';
import { Rng } from './rng';
import { createSimdEngine, simdSupported } from './simd';
import type { EpochReport, TrainHooks, TrainResult } from './types';

export { setBatchedStrategy, setTransposeStrategy } from './dense-tfjs';

/** Per-job outcome of a packed run: a result, or the error that job failed with. */
export type PackedOutcome =
  { ok: true; result: TrainResult; weights?: Float32Array[] } | { ok: false; error: Error };

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
  /** When this job last handed out a checkpoint (or started). */
  lastCheckpointAt: number;
}

/** Which engine trains dense families: foldwise's WebAssembly SIMD kernels, tfjs tensors, or `auto`. */
export const DenseEngineName = { Auto: 'auto', Simd: 'simd', Tfjs: 'tfjs' } as const;
/** One of the values of {@link DenseEngineName}. */
export type DenseEngineName = (typeof DenseEngineName)[keyof typeof DenseEngineName];

let engineChoice: DenseEngineName = DenseEngineName.Auto;

/** Chooses the dense engine; `auto` takes the SIMD kernels unless tfjs runs natively (`tensorflow`: libtensorflow or CUDA). */
export function setDenseEngine(name: DenseEngineName): void {
  if (!Object.values(DenseEngineName).includes(name))
    throw new Error(`dense engine: expected auto, simd or tfjs (got ${String(name)})`);
  engineChoice = name;
}

/** The engine `auto` (or the current choice) resolves to on a tfjs backend. */
export function denseEngineFor(backend: string): 'simd' | 'tfjs' {
  if (engineChoice !== DenseEngineName.Auto) return engineChoice;
  return backend !== 'tensorflow' && simdSupported() ? 'simd' : 'tfjs';
}

function withOnes(x: Float32Array, rows: number, cols: number, out: Float32Array, outOffset: number): void {
  for (let r = 0; r < rows; r++) {
    out.set(x.subarray(r * cols, (r + 1) * cols), outOffset + r * (cols + 1));
    out[outOffset + r * (cols + 1) + cols] = 1;
  }
}

/**
 * Initial weights of one dense layer as scikit-learn's MLPClassifier draws them: kernel and bias uniform in ±√(k /
 * (fanIn + fanOut)), k = 2 for sigmoid ('logistic') networks and 6 otherwise (Glorot's bound), the kernel's values
 * first. Returned augmented: `fanIn` kernel rows, then the bias row.
 */
export function initDenseLayer(
  rng: Rng,
  fanIn: number,
  fanOut: number,
  activation: Activation,
): Float32Array {
  const bound = Math.sqrt((activation === 'sigmoid' ? 2 : 6) / (fanIn + fanOut));
  const w = new Float32Array((fanIn + 1) * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * bound;
  return w;
}

function initState(
  prep: PreparedJob,
  dims: number[],
): { st: DenseState; weights: Float32Array[]; opt: Float32Array[][] } {
  const seed = prep.job.seed;
  const nOpt = optSlots(prep.tp.optimizer);
  if (prep.job.resumeFrom) {
    const { state, arrays } = decodeCheckpoint<DenseState>(prep.job.resumeFrom.bytes);
    if (!Array.isArray(state.layers) || state.layers.join(',') !== dims.join(',')) {
      throw new Error(
        `resumeFrom: checkpoint layer sizes [${String(state.layers)}] differ from the job's [${dims.join(',')}]`,
      );
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
    weights.push(initDenseLayer(rng, fin, fout, prep.dense!.activation));
    opt.push(Array.from({ length: nOpt }, () => new Float32Array((fin + 1) * fout)));
  }
  const shuffle = new Rng(seed, 1).state();
  const drop = new Rng(seed, 2).state();
  return {
    st: {
      epoch: 0,
      t: 0,
      shuffle,
      drop,
      best: Infinity,
      wait: 0,
      stoppedEarly: false,
      curve: [],
      samples: 0,
      layers: dims,
    },
    weights,
    opt,
  };
}

/** Whether no job of a run trains on: each has stopped or been aborted (checked before every step). */
function allStopped(slots: readonly Slot[]): boolean {
  for (let p = 0; p < slots.length; p++) {
    const s = slots[p]!;
    if (s.active && !s.hooks.signal?.aborted) return false;
  }
  return true;
}

/** The next epoch's steps of every active job: shuffled rows, loss weights, optimizer coefficients, dropout masks. */
function planEpoch(lay: DenseLayout, slots: readonly Slot[]): EpochPlan {
  const { P, B, opt, dims, anyDropout } = lay;
  let nSteps = 0;
  for (const s of slots) if (s.active) nSteps = Math.max(nSteps, Math.ceil(s.prep.nTrain / B));
  const plan: EpochPlan = {
    nSteps,
    idx: new Int32Array(nSteps * P * B),
    scale: new Float32Array(nSteps * P * B),
    lossW: new Float32Array(nSteps * P * B),
    coef: Array.from({ length: opt === 'adam' ? 3 : 2 }, () => new Float32Array(nSteps * P)),
    decay: new Float32Array(nSteps * P),
    dmasks: anyDropout ? dims.slice(1, -1).map((u) => new Float32Array(nSteps * P * B * u)) : [],
  };
  for (let p = 0; p < P; p++) if (slots[p]!.active) planJob(plan, lay, slots[p]!, p);
  return plan;
}

/** Fills job p's part of an epoch plan, advancing its step count, shuffle and dropout generators. */
function planJob(plan: EpochPlan, lay: DenseLayout, s: Slot, p: number): void {
  const { P, B, opt, cls, dims } = lay;
  const { idx, scale, lossW, coef, decay, dmasks } = plan;
  const n = s.prep.nTrain;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  s.shuffleRng.shuffle(order);
  const lr = learningRateAt(s.prep.tp, s.st.epoch, s.prep.totalEpochs);
  const rate = s.prep.dense?.dropout ?? 0;
  const steps = Math.ceil(n / B);
  for (let st = 0; st < steps; st++) {
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
    decay[ci] = l2Decay(s.prep.tp.l2, count, cls) + s.prep.tp.weightDecay;
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
    for (let l = 0; l < dmasks.length; l++) {
      const u = dims[l + 1]!;
      const buf = dmasks[l]!;
      if (rate > 0) {
        const o = base * u;
        for (let j = 0; j < count * u; j++) buf[o + j] = s.dropRng.next() >= rate ? 1 / (1 - rate) : 0;
      } else buf.fill(1, base * u, (base + B) * u);
    }
    s.st.samples += count;
  }
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
  const B = first.tp.batchSize;
  const opt = first.tp.optimizer;
  const cls = first.job.task === 'classification';
  const anyDropout = preps.some((p) => (p.dense?.dropout ?? 0) > 0);

  const slots: Slot[] = [];
  const w0: Float32Array[][] = Array.from({ length: L }, () => []);
  const o0: Float32Array[][][] = Array.from({ length: L }, () =>
    Array.from({ length: optSlots(opt) }, () => []),
  );
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
      lastCheckpointAt: Date.now(),
    });
    trainOffset += prep.nTrain;
  }
  const nAll = trainOffset;
  const vMax = Math.max(1, ...preps.map((p) => p.nVal));

  const lay: DenseLayout = {
    P,
    F,
    C,
    dims,
    L,
    act: first.dense.activation,
    B,
    opt,
    cls,
    sizes: [],
    offsets: [],
    T: 0,
    xAll: new Float32Array(nAll * (F + 1)),
    yAll: new Float32Array(nAll * C),
    xVal: new Float32Array(P * vMax * (F + 1)),
    yVal: new Float32Array(P * vMax * C),
    vScale: new Float32Array(P * vMax),
    vLabel: new Int32Array(P * vMax).fill(-1),
    vMax,
    nVal: preps.map((p) => p.nVal),
    l2: preps.map((p) => p.tp.l2),
    momentum: preps.map((p) => p.tp.momentum),
    anyDropout,
  };
  lay.sizes = dims.slice(0, -1).map((fin, l) => (fin + 1) * dims[l + 1]!);
  lay.offsets = lay.sizes.map((_, l) => lay.sizes.slice(0, l).reduce((a, b) => a + b, 0));
  lay.T = lay.sizes.reduce((a, b) => a + b, 0);
  const { sizes, offsets, T } = lay;
  slots.forEach((s, p) => {
    const { job, nTrain, nVal } = s.prep;
    withOnes(job.xTrain, nTrain, F, lay.xAll, s.trainOffset * (F + 1));
    withOnes(job.xVal, nVal, F, lay.xVal, p * vMax * (F + 1));
    for (let i = 0; i < nTrain; i++) {
      if (cls) lay.yAll[(s.trainOffset + i) * C + job.yTrain[i]!] = 1;
      else lay.yAll[s.trainOffset + i] = job.yTrain[i]!;
    }
    for (let i = 0; i < nVal; i++) {
      if (cls) {
        lay.yVal[(p * vMax + i) * C + job.yVal[i]!] = 1;
        lay.vLabel[p * vMax + i] = job.yVal[i]!;
      } else lay.yVal[p * vMax + i] = job.yVal[i]!;
      lay.vScale[p * vMax + i] = 1 / nVal;
    }
  });

  const flatOf = (perLayer: Float32Array[][]): Float32Array => {
    const buf = new Float32Array(P * T);
    perLayer.forEach((parts, l) => parts.forEach((a, p) => buf.set(a, p * T + offsets[l]!)));
    return buf;
  };
  const layerOf = (flat: Float32Array, p: number, l: number): Float32Array =>
    flat.subarray(p * T + offsets[l]!, p * T + offsets[l]! + sizes[l]!);
  const wInit = flatOf(w0);
  const sInit = Array.from({ length: optSlots(opt) }, (_, j) => flatOf(o0.map((perSlot) => perSlot[j]!)));
  const engine: DenseEngine =
    denseEngineFor(backend) === 'simd'
      ? await createSimdEngine(lay, wInit, sInit)
      : createTfjsEngine(lay, wInit, sInit, backend);

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

  const stopped = (): boolean => allStopped(slots);
  try {
    while (slots.some((s) => s.active)) {
      const plan = planEpoch(lay, slots);
      const finished = engine.runEpoch(plan, stopped);
      if (!finished) {
        for (const s of slots) {
          if (s.active) {
            s.active = false;
            s.error = abortError(s.hooks.signal);
          }
        }
        break;
      }
      const stats = engine.epochStats();
      const wantCkpt: number[] = [];
      for (let p = 0; p < P; p++) {
        const s = slots[p]!;
        if (!s.active) continue;
        s.st.epoch += 1;
        const report: EpochReport = {
          epoch: s.st.epoch,
          trainLoss: stats[p]!,
          valLoss: s.prep.nVal > 0 ? stats[P + p]! : NaN,
          valScore:
            s.prep.nVal > 0
              ? cls
                ? Math.round(stats[2 * P + p]! * s.prep.nVal) / s.prep.nVal
                : stats[2 * P + p]!
              : NaN,
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
        const paused = !s.active && !s.st.stoppedEarly && s.st.epoch < s.prep.totalEpochs;
        if (s.hooks.onCheckpoint && checkpointDue(s.hooks, s.st.epoch, paused, s.lastCheckpointAt)) {
          s.lastCheckpointAt = Date.now();
          wantCkpt.push(p);
        }
      }
      if (wantCkpt.length > 0) {
        const wData = engine.weights();
        const sData = engine.optState();
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
    const predictStart = performance.now();
    const proba = engine.valOutputs();
    const predictMs = performance.now() - predictStart;
    const valRows = slots.reduce((sum, s) => sum + s.prep.nVal, 0);
    const heldBack = slots.some((s) => s.prep.scoreOn);
    const finalW = opts.captureWeights || heldBack ? engine.weights() : undefined;
    const durationMs = performance.now() - t0;
    return slots.map((s, p): PackedOutcome => {
      if (s.error) return { ok: false, error: s.error };
      // With early stopping the engine watched held-back training rows; the fold's own rows are scored here.
      const scoreOn = s.prep.scoreOn;
      const nVal = scoreOn ? scoreOn.nVal : s.prep.nVal;
      let rows = proba.subarray(p * vMax * C, (p * vMax + nVal) * C);
      let ownPredictMs: number | undefined;
      if (scoreOn && finalW) {
        const start = performance.now();
        rows = denseForward(
          sizes.map((_, l) => layerOf(finalW, p, l)),
          dims,
          first.dense!.activation,
          cls,
          scoreOn.xVal,
          nVal,
        );
        ownPredictMs = performance.now() - start;
      }
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
          backend: engine.backend,
          samplesTrained: s.st.samples,
          durationMs,
          paramCount: T,
          ...(ownPredictMs !== undefined
            ? { predictMs: ownPredictMs }
            : valRows > 0
              ? { predictMs: (predictMs * nVal) / valRows }
              : {}),
        },
        ...(finalW ? { weights: sizes.map((_, l) => layerOf(finalW, p, l).slice()) } : {}),
      };
    });
  } finally {
    engine.dispose();
  }
}

/**
 * The outputs of a dense stack on `n` rows (row-major, `dims[0]` features): each layer's augmented weights hold the
 * row-major `fin × fout` kernel then the bias; hidden layers apply `act`, the last softmax (classification) or none.
 */
export function denseForward(
  layers: readonly Float32Array[],
  dims: readonly number[],
  act: DenseSpec['activation'],
  classification: boolean,
  x: Float32Array,
  n: number,
): Float32Array {
  let h = x;
  for (let l = 0; l < layers.length; l++) {
    const fin = dims[l]!;
    const fout = dims[l + 1]!;
    const w = layers[l]!;
    const out = new Float32Array(n * fout);
    const last = l === layers.length - 1;
    for (let i = 0; i < n; i++) {
      const row = out.subarray(i * fout, (i + 1) * fout);
      row.set(w.subarray(fin * fout, (fin + 1) * fout));
      for (let k = 0; k < fin; k++) {
        const v = h[i * fin + k]!;
        if (v === 0) continue;
        const wk = k * fout;
        for (let j = 0; j < fout; j++) row[j]! += v * w[wk + j]!;
      }
      if (!last) {
        for (let j = 0; j < fout; j++) row[j] = activate(act, row[j]!);
      } else if (classification) {
        let m = -Infinity;
        for (let j = 0; j < fout; j++) m = Math.max(m, row[j]!);
        let sum = 0;
        for (let j = 0; j < fout; j++) sum += row[j] = Math.exp(row[j]! - m);
        for (let j = 0; j < fout; j++) row[j]! /= sum;
      }
    }
    h = out;
  }
  return h;
}

function activate(act: DenseSpec['activation'], v: number): number {
  switch (act) {
    case 'relu':
      return v > 0 ? v : 0;
    case 'tanh':
      return Math.tanh(v);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-v));
    case 'elu':
      return v > 0 ? v : Math.expm1(v);
    default:
      throw new Error(`activation: unknown ${String(act)}`);
  }
}

/** Final dense weights of a job trained alone, as [kernel, bias] pairs per layer (for building a LayersModel). */
export function splitAugmented(
  w: Float32Array,
  fin: number,
  fout: number,
): { kernel: Float32Array; bias: Float32Array } {
  return { kernel: w.slice(0, fin * fout), bias: w.slice(fin * fout, (fin + 1) * fout) };
}
