import * as tf from '@tensorflow/tfjs';
import { checkpointDue, decodeCheckpoint, encodeCheckpoint, type NamedArray } from './checkpoint';
import { getFamily, l2Decay, learningRateAt } from './families';
import { registerFastGradients } from './gradients';
import { ADAM_EPSILON } from './dense-engine';
import { abortError, type PreparedJob } from './job';
import { Rng, glorotUniform } from './rng';
import type { EpochReport, TrainHooks, TrainResult } from './types';

const BETA1 = 0.9;
const BETA2 = 0.999;
const RHO = 0.9;
const EPS = 1e-7;

interface LayersState {
  epoch: number;
  t: number;
  shuffle: number[];
  drop: number[];
  best: number;
  wait: number;
  stoppedEarly: boolean;
  curve: EpochReport[];
  samples: number;
  nWeights: number;
}

function withSeededRandom<T>(rng: Rng, f: () => T): T {
  const saved = Math.random;
  Math.random = () => rng.next();
  try {
    return f();
  } finally {
    Math.random = saved;
  }
}

/** Builds a family's LayersModel with weights initialised from the job's seed (kernels Glorot-uniform, biases zero). */
export function buildSeeded(prep: PreparedJob): tf.LayersModel {
  const model = getFamily(prep.job.family).build(prep.params as never, prep.ctx);
  const rng = new Rng(prep.job.seed, 0);
  for (const w of model.weights) {
    const shape = w.shape as number[];
    if (/kernel/.test(w.name))
      tf.tidy(() => {
        w.write(tf.tensor(glorotUniform(rng, shape), shape));
      });
    else if (/bias/.test(w.name))
      tf.tidy(() => {
        w.write(tf.zeros(shape));
      });
  }
  return model;
}

/** Image augmentation a job asks for: its image shape, the largest shift in pixels and whether to mirror. */
interface Augmentation {
  h: number;
  w: number;
  c: number;
  shift: number;
  flip: boolean;
}

function augmentationOf(prep: PreparedJob): Augmentation | undefined {
  const shift = Number(prep.params['augmentShift'] ?? 0);
  const flip = prep.params['augmentFlip'] === true;
  if (shift === 0 && !flip) return undefined;
  const shape = prep.ctx.inputShape;
  if (!shape || shape.length !== 3)
    throw new Error('augmentShift/augmentFlip: augmentation needs image data (an inputShape [h, w, c])');
  const [h, w, c] = shape as [number, number, number];
  return { h, w, c, shift, flip };
}

/**
 * Each of `n` images (row-major h × w × c) shifted by a random whole number of pixels in [−shift, shift] on each axis
 * (vacated pixels 0) and, with `flip`, mirrored left–right with probability 1/2, drawn from `rng`.
 */
export function augmentImages(x: Float32Array, n: number, a: Augmentation, rng: Rng): Float32Array {
  const { h, w, c, shift, flip } = a;
  const size = h * w * c;
  const out = new Float32Array(n * size);
  const span = 2 * shift + 1;
  for (let i = 0; i < n; i++) {
    const dy = shift > 0 ? Math.floor(rng.next() * span) - shift : 0;
    const dx = shift > 0 ? Math.floor(rng.next() * span) - shift : 0;
    const mirror = flip && rng.next() < 0.5;
    const src = i * size;
    for (let y = 0; y < h; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= h) continue;
      for (let xx = 0; xx < w; xx++) {
        const tx = mirror ? w - 1 - xx : xx;
        const sx = tx - dx;
        if (sx < 0 || sx >= w) continue;
        const from = src + (sy * w + sx) * c;
        const to = src + (y * w + xx) * c;
        for (let k = 0; k < c; k++) out[to + k] = x[from + k]!;
      }
    }
  }
  return out;
}

/** Longest stretch of training steps between two turns of the event loop, in milliseconds. */
const YIELD_EVERY_MS = 100;

function predictBatched(model: tf.LayersModel, x: tf.Tensor2D, batch: number): Float32Array {
  const n = x.shape[0];
  const parts: Float32Array[] = [];
  for (let i = 0; i < n; i += batch) {
    parts.push(
      tf.tidy(
        () =>
          (
            model.apply(x.slice([i, 0], [Math.min(batch, n - i), -1]), { training: false }) as tf.Tensor
          ).dataSync() as Float32Array,
      ),
    );
  }
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Trains any LayersModel family with foldwise's own loop (one job); returns the result and the trained model. */
export async function trainLayersModel(
  prep: PreparedJob,
  hooks: TrainHooks,
  backend: string,
): Promise<{ result: TrainResult; model: tf.LayersModel }> {
  const t0 = performance.now();
  registerFastGradients();
  const { job, tp, nTrain, nVal, outDim: C } = prep;
  const cls = job.task === 'classification';
  const F = job.nFeatures;
  const B = tp.batchSize;
  const model = buildSeeded(prep);
  const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = model.trainableWeights.map((w) => /kernel/.test(w.name));
  const nOpt = tp.optimizer === 'adam' ? 2 : 1;
  let st: LayersState = {
    epoch: 0,
    t: 0,
    shuffle: new Rng(job.seed, 1).state(),
    drop: new Rng(job.seed, 2).state(),
    best: Infinity,
    wait: 0,
    stoppedEarly: false,
    curve: [],
    samples: 0,
    nWeights: model.weights.length,
  };
  let optState: tf.Tensor[][] = trainable.map((v) => Array.from({ length: nOpt }, () => tf.zerosLike(v)));
  if (job.resumeFrom) {
    const { state, arrays } = decodeCheckpoint<LayersState>(job.resumeFrom.bytes);
    if (state.nWeights !== model.weights.length) {
      throw new Error(
        `resumeFrom: checkpoint holds ${state.nWeights} weights, the model has ${model.weights.length}`,
      );
    }
    st = { ...state, curve: [...state.curve] };
    model.weights.forEach((w, i) => {
      const a = arrays.get(`w${i}`);
      if (!a || a.shape.join(',') !== w.shape.join(','))
        throw new Error(`resumeFrom: weight ${i} (${w.name}) missing or of another shape`);
      tf.tidy(() => {
        w.write(tf.tensor(new Float32Array(a.data), a.shape));
      });
    });
    tf.dispose(optState);
    optState = trainable.map((_, i) =>
      Array.from({ length: nOpt }, (_u, k) => {
        const a = arrays.get(`o${i}_${k}`);
        if (!a) throw new Error(`resumeFrom: checkpoint lacks optimizer state ${k} of weight ${i}`);
        return tf.tensor(new Float32Array(a.data), a.shape);
      }),
    );
  }
  const shuffleRng = Rng.fromState(st.shuffle);
  const dropRng = Rng.fromState(st.drop);
  const yTrainBuf = new Float32Array(nTrain * C);
  for (let i = 0; i < nTrain; i++) {
    if (cls) yTrainBuf[i * C + job.yTrain[i]!] = 1;
    else yTrainBuf[i] = job.yTrain[i]!;
  }
  const augment = augmentationOf(prep);
  // Training rows stay in JS memory: each step copies its batch into a small tensor. Gathering the whole epoch into
  // one backend tensor and slicing it made a step's cost grow with the training set on wasm (16,000 images: 192
  // samples/s against 367 for 4,000), so a refit on all 60,000 Fashion-MNIST images ran for many minutes.
  let xTrainRows = job.xTrain;
  const xVal = tf.tensor2d(job.xVal, [nVal, F]);
  let active = !st.stoppedEarly && st.epoch < prep.stopAt;
  let lastCheckpointAt = Date.now();
  let lastYield = performance.now();

  const lossOf = (pred: tf.Tensor, y: tf.Tensor): tf.Scalar =>
    cls
      ? (tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(pred, EPS, 1 - EPS))), 1))) as tf.Scalar)
      : (tf.mean(tf.square(tf.sub(pred, y))) as tf.Scalar);

  const valStats = (): { loss: number; score: number; pred: Float32Array } => {
    const pred = predictBatched(model, xVal, 256);
    let loss = 0;
    let score = 0;
    for (let i = 0; i < nVal; i++) {
      const y = job.yVal[i]!;
      if (cls) {
        loss -= Math.log(Math.min(1 - EPS, Math.max(EPS, pred[i * C + y]!)));
        let best = 0;
        for (let c = 1; c < C; c++) if (pred[i * C + c]! > pred[i * C + best]!) best = c;
        if (best === y) score += 1;
      } else loss += (pred[i]! - y) ** 2;
    }
    loss /= Math.max(1, nVal);
    return { loss, score: cls ? score / Math.max(1, nVal) : -loss, pred };
  };

  const checkpoint = (): Uint8Array => {
    st.shuffle = shuffleRng.state();
    st.drop = dropRng.state();
    const arrays: NamedArray[] = model.weights.map((w, i) => ({
      name: `w${i}`,
      shape: w.shape as number[],
      data: w.read().dataSync() as Float32Array,
    }));
    optState.forEach((s, i) =>
      s.forEach((t, k) =>
        arrays.push({ name: `o${i}_${k}`, shape: t.shape, data: t.dataSync() as Float32Array }),
      ),
    );
    return encodeCheckpoint(st, arrays);
  };

  try {
    while (active) {
      if (augment) {
        // A fresh draw of shifted and mirrored training images each epoch, seeded by (job seed, epoch) so a resumed
        // run draws what the uninterrupted one drew.
        xTrainRows = augmentImages(job.xTrain, nTrain, augment, new Rng(job.seed, 1000 + st.epoch));
      }
      const lr = learningRateAt(tp, st.epoch, prep.totalEpochs);
      const order = shuffleRng.shuffle(Int32Array.from({ length: nTrain }, (_, i) => i));
      const nSteps = Math.ceil(nTrain / B);
      let lossSum: tf.Tensor = tf.scalar(0);
      for (let step = 0; step < nSteps; step++) {
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          // A long epoch (a refit on 60,000 images runs minutes) lets the event loop run: heartbeats, cancellation,
          // and the worker's pollers and workflows, which share this thread.
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
        }
        const n = Math.min(B, nTrain - step * B);
        // Fresh buffers per step: the cpu backend keeps the array it is given as the tensor's data.
        const xBatch = new Float32Array(n * F);
        const yBatch = new Float32Array(n * C);
        for (let j = 0; j < n; j++) {
          const r = order[step * B + j]!;
          xBatch.set(xTrainRows.subarray(r * F, (r + 1) * F), j * F);
          yBatch.set(yTrainBuf.subarray(r * C, (r + 1) * C), j * C);
        }
        const xb = tf.tensor2d(xBatch, [n, F]);
        const yb = tf.tensor2d(yBatch, [n, C]);
        try {
          if (hooks.signal?.aborted) throw abortError(hooks.signal);
          st.t += 1;
          const { value, grads } = withSeededRandom(dropRng, () =>
            tf.variableGrads(() => {
              const pred = model.apply(xb, { training: true }) as tf.Tensor;
              let loss: tf.Scalar = lossOf(pred, yb);
              const half = (l2Decay(tp.l2, n, cls) + tp.weightDecay) / 2;
              if (half > 0) {
                for (let i = 0; i < trainable.length; i++) {
                  if (kernels[i])
                    loss = tf.add(loss, tf.mul(half, tf.sum(tf.square(trainable[i]!)))) as tf.Scalar;
                }
              }
              return loss;
            }, trainable),
          );
          const lrt =
            tp.optimizer === 'adam' ? (lr * Math.sqrt(1 - BETA2 ** st.t)) / (1 - BETA1 ** st.t) : lr;
          const next = tf.tidy(() =>
            trainable.map((v, i) => {
              const g = grads[v.name]!;
              const s = optState[i]!;
              if (tp.optimizer === 'adam') {
                const m = tf.add(tf.mul(BETA1, s[0]!), tf.mul(1 - BETA1, g));
                const vv = tf.add(tf.mul(BETA2, s[1]!), tf.mul(1 - BETA2, tf.square(g)));
                return {
                  w: tf.sub(v, tf.mul(lrt, tf.div(m, tf.add(tf.sqrt(vv), ADAM_EPSILON)))),
                  s: [m, vv],
                };
              }
              if (tp.optimizer === 'sgd') {
                const a = tf.add(tf.mul(tp.momentum, s[0]!), g);
                return { w: tf.sub(v, tf.mul(lrt, a)), s: [a] };
              }
              const ms = tf.add(tf.mul(RHO, s[0]!), tf.mul(1 - RHO, tf.square(g)));
              return { w: tf.sub(v, tf.mul(lrt, tf.div(g, tf.sqrt(tf.add(ms, EPS))))), s: [ms] };
            }),
          );
          next.forEach((r, i) => {
            trainable[i]!.assign(r.w);
            r.w.dispose();
          });
          tf.dispose(optState);
          optState = next.map((r) => r.s);
          const acc = tf.tidy(() => tf.add(lossSum, tf.mul(value, n / nTrain)));
          tf.dispose([lossSum, value, ...Object.values(grads)]);
          lossSum = acc;
          st.samples += n;
        } finally {
          tf.dispose([xb, yb]);
        }
      }
      const trainLoss = (await lossSum.data())[0]!;
      lossSum.dispose();
      st.epoch += 1;
      const v = nVal > 0 ? valStats() : { loss: NaN, score: NaN };
      const report: EpochReport = { epoch: st.epoch, trainLoss, valLoss: v.loss, valScore: v.score };
      st.curve.push(report);
      hooks.onEpoch?.(report);
      const es = tp.earlyStopping;
      if (es && nVal > 0) {
        if (report.valLoss < st.best - es.minDelta) {
          st.best = report.valLoss;
          st.wait = 0;
        } else if (++st.wait >= es.patience) {
          st.stoppedEarly = true;
          active = false;
        }
      }
      if (active && st.epoch >= prep.stopAt) active = false;
      const paused = !active && !st.stoppedEarly && st.epoch < prep.totalEpochs;
      if (hooks.onCheckpoint && checkpointDue(hooks, st.epoch, paused, lastCheckpointAt)) {
        lastCheckpointAt = Date.now();
        await hooks.onCheckpoint({ epoch: st.epoch, bytes: checkpoint() });
      }
      await new Promise<void>((r) => setImmediate(r));
      if (hooks.signal?.aborted) throw abortError(hooks.signal);
    }
    // Scored on the fold's validation rows; with early stopping the loop watched held-back training rows instead.
    const scoring = prep.scoreOn ?? { xVal: job.xVal, yVal: job.yVal, nVal };
    const nScore = scoring.nVal;
    const predictStart = performance.now();
    let pred: Float32Array;
    if (nScore === 0) pred = new Float32Array(0);
    else if (!prep.scoreOn) pred = predictBatched(model, xVal, 256);
    else {
      const xs = tf.tensor2d(scoring.xVal, [nScore, F]);
      try {
        pred = predictBatched(model, xs, 256);
      } finally {
        xs.dispose();
      }
    }
    const predictMs = performance.now() - predictStart;
    const valPred = new Float64Array(nScore);
    for (let i = 0; i < nScore; i++) {
      if (!cls) {
        valPred[i] = pred[i]!;
        continue;
      }
      let best = 0;
      for (let c = 1; c < C; c++) if (pred[i * C + c]! > pred[i * C + best]!) best = c;
      valPred[i] = best;
    }
    return {
      model,
      result: {
        epochsTrained: st.epoch,
        stoppedEarly: st.stoppedEarly,
        curve: st.curve,
        valPred,
        ...(cls ? { valProba: pred } : {}),
        backend,
        samplesTrained: st.samples,
        durationMs: performance.now() - t0,
        paramCount: model.countParams(),
        ...(nScore > 0 ? { predictMs } : {}),
      },
    };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    tf.dispose([xVal, ...optState.flat()]);
  }
}
