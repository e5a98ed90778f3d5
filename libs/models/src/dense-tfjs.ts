import * as tf from '@tensorflow/tfjs';
import { ADAM_EPSILON, type DenseEngine, type DenseLayout, EPS, type EpochPlan } from './dense-engine';
import type { Activation } from './families';

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

/** The dense engine on tfjs tensors (any backend; the one that uses a GPU). */
export function createTfjsEngine(
  lay: DenseLayout,
  w0: Float32Array,
  s0: Float32Array[],
  backend: string,
): DenseEngine {
  const { P, F, C, dims, L, act, B, opt, cls, sizes, offsets, T, vMax } = lay;
  const keep: tf.Tensor[] = [];
  const k = <X extends tf.Tensor>(t: X): X => {
    keep.push(t);
    return t;
  };
  const lead = (shape: number[]): number[] => (P === 1 ? shape.slice(1) : shape);
  const ax = (a: number): number => (P === 1 ? a - 1 : a);
  const xVal = k(tf.tensor(lay.xVal, lead([P, vMax, F + 1])));
  const yVal = k(tf.tensor(lay.yVal, lead([P, vMax, C])));
  const vScale = k(tf.tensor(lay.vScale, lead([P, vMax, 1])));
  const vLabel = k(tf.tensor(lay.vLabel, lead([P, vMax]), 'int32'));
  const ones = k(tf.ones(lead([P, B, 1])));
  const valOnes = k(tf.ones(lead([P, vMax, 1])));
  const kernelMask = lay.l2.some((v) => v > 0)
    ? (() => {
        const buf = new Float32Array(P * T);
        for (let p = 0; p < P; p++)
          sizes.forEach((size, l) =>
            buf.fill(1, p * T + offsets[l]!, p * T + offsets[l]! + size - dims[l + 1]!),
          );
        return k(tf.tensor(buf, lead([P, T])));
      })()
    : undefined;
  const momentum = k(
    tf.tensor(
      Float32Array.from(lay.momentum, (m) => 1 - m),
      lead([P, 1]),
    ),
  );
  let W: tf.Tensor = tf.tensor(w0, lead([P, T]));
  let S: tf.Tensor[] = s0.map((s) => tf.tensor(s, lead([P, T])));
  let perStep: tf.Tensor[] = [];
  let lossWAll: tf.Tensor | undefined;

  const views = (flat: tf.Tensor): tf.Tensor[] =>
    sizes.map((size, l) =>
      (P === 1 ? flat.slice([offsets[l]!], [size]) : flat.slice([0, offsets[l]!], [P, size])).reshape(
        lead([P, dims[l]! + 1, dims[l + 1]!]),
      ),
    );

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

  const step = (
    Wf: tf.Tensor,
    S: tf.Tensor[],
    x: tf.Tensor,
    y: tf.Tensor,
    scale: tf.Tensor,
    coef: tf.Tensor[],
    decay: tf.Tensor | undefined,
    dmasks: tf.Tensor[] | undefined,
  ) => {
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
    if (kernelMask && decay) g = tf.add(g, tf.mul(tf.mul(kernelMask, decay), Wf));
    let newW: tf.Tensor;
    let newS: tf.Tensor[];
    if (opt === 'adam') {
      const [lrt, c1, c2] = coef as [tf.Tensor, tf.Tensor, tf.Tensor];
      const m = tf.add(S[0]!, tf.mul(c1, tf.sub(g, S[0]!)));
      const v = tf.add(S[1]!, tf.mul(c2, tf.sub(tf.square(g), S[1]!)));
      newW = tf.sub(Wf, tf.mul(lrt, tf.div(m, tf.add(tf.sqrt(v), ADAM_EPSILON))));
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

  const dropEpoch = (): void => {
    tf.dispose([...perStep, ...(lossWAll ? [lossWAll] : [])]);
    perStep = [];
    lossWAll = undefined;
  };

  return {
    backend,
    runEpoch(plan: EpochPlan, stopped: () => boolean): boolean {
      const { nSteps, idx, scale } = plan;
      const units = dims.slice(1, -1);
      const xb = new Float32Array(nSteps * P * B * (F + 1));
      const yb = new Float32Array(nSteps * P * B * C);
      for (let r = 0; r < idx.length; r++) {
        if (scale[r] === 0) continue;
        const src = idx[r]!;
        xb.set(lay.xAll.subarray(src * (F + 1), (src + 1) * (F + 1)), r * (F + 1));
        yb.set(lay.yAll.subarray(src * C, (src + 1) * C), r * C);
      }
      const per = (buf: Float32Array, st: number, shape: number[]): tf.Tensor => {
        const size = shape.reduce((a, b) => a * b, 1);
        return tf.tensor(buf.subarray(st * size, (st + 1) * size), shape);
      };
      const steps = Array.from({ length: nSteps }, (_, st) => ({
        x: per(xb, st, lead([P, B, F + 1])),
        y: per(yb, st, lead([P, B, C])),
        sc: per(scale, st, lead([P, B, 1])),
        cf: plan.coef.map((c) => per(c, st, lead([P, 1]))),
        dc: kernelMask ? per(plan.decay, st, lead([P, 1])) : undefined,
        dm: plan.dmasks.map((buf, l) => per(buf, st, lead([P, B, units[l]!]))),
      }));
      dropEpoch();
      lossWAll = tf.tensor(plan.lossW, P === 1 ? [nSteps, B] : [nSteps, P, B]);
      try {
        for (let st = 0; st < nSteps; st++) {
          if (stopped()) {
            dropEpoch();
            return false;
          }
          const r = tf.tidy(() => {
            const b = steps[st]!;
            return step(W, S, b.x, b.y, b.sc, b.cf, b.dc, lay.anyDropout ? b.dm : undefined);
          });
          tf.dispose([W, ...S]);
          W = r.newW;
          S = r.newS;
          perStep.push(r.lossP);
        }
        return true;
      } finally {
        tf.dispose(steps.flatMap((b) => [b.x, b.y, b.sc, ...b.cf, ...(b.dc ? [b.dc] : []), ...b.dm]));
      }
    },
    epochStats(): Float32Array {
      const stats = tf.tidy(() => {
        const st = tf.stack(perStep);
        const lossW = lossWAll!;
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
      dropEpoch();
      return stats;
    },
    weights: () => W.dataSync() as Float32Array,
    optState: () => S.map((t) => t.dataSync() as Float32Array),
    valOutputs: () =>
      tf.tidy(() => {
        const out = forward(views(W), xVal, undefined, valOnes).out;
        return (cls ? tf.softmax(out) : out).dataSync() as Float32Array;
      }),
    dispose(): void {
      dropEpoch();
      tf.dispose([...keep, W, ...S]);
    },
  };
}
