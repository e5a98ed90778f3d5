import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';
import { batchNormGradient, registerFastGradients } from './gradients';

/** Gradients of a scalar loss through tf.batchNorm with respect to x, mean, variance, scale and offset. */
function bnGrads(x: tf.Tensor4D, stats: tf.Tensor1D[], w: tf.Tensor4D, perChannel: boolean): Float32Array[] {
  return tf.tidy(() => {
    const C = x.shape[3];
    const shape = perChannel ? [C] : [1, 1, 1, C];
    const f = (xi: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.batchNorm(xi, m.reshape(shape), v.reshape(shape), o.reshape(shape), s.reshape(shape), 1e-5),
          w,
        ),
      );
    const gs = tf.grads(f)([x, ...stats]);
    return gs.map((t) => t.dataSync() as Float32Array);
  });
}

test('the broadcast FusedBatchNorm gradient equals tfjs-core’s tiled one, value for value', async () => {
  await selectBackend('auto');
  const [N, H, W, C] = [3, 5, 4, 6];
  const x = tf.randomNormal([N, H, W, C], 0.3, 1.7, 'float32', 1) as tf.Tensor4D;
  const mean = tf.randomNormal([C], 0, 1, 'float32', 2) as tf.Tensor1D;
  const variance = tf.randomUniform([C], 0.2, 3, 'float32', 3) as tf.Tensor1D;
  const scale = tf.randomNormal([C], 1, 0.5, 'float32', 4) as tf.Tensor1D;
  const offset = tf.randomNormal([C], 0, 0.5, 'float32', 5) as tf.Tensor1D;
  const w = tf.randomNormal([N, H, W, C], 0, 1, 'float32', 6) as tf.Tensor4D;
  const stats = [mean, variance, scale, offset];
  const names = ['x', 'mean', 'variance', 'scale', 'offset'];
  const same = (a: Float32Array[], b: Float32Array[], what: string) => {
    for (let k = 0; k < names.length; k++) {
      assert.equal(a[k]!.length, b[k]!.length);
      const worst = Math.max(...a[k]!.map((v, i) => Math.abs(v - b[k]![i]!) / Math.max(1, Math.abs(v))));
      assert.ok(worst <= 1e-6, `${names[k]} (${what}): relative difference ${worst}`);
    }
  };
  const tfjs = bnGrads(x, stats, w, true);
  registerFastGradients();
  assert.equal(
    tf.getGradient('FusedBatchNorm'),
    batchNormGradient,
    'the fast gradient is the registered one',
  );
  same(tfjs, bnGrads(x, stats, w, true), 'per-channel statistics, as tfjs-layers passes them');
  // [1, 1, 1, C] statistics, where tfjs-core's gradient fails to reduce, give the per-channel values.
  same(tfjs, bnGrads(x, stats, w, false), '[1, 1, 1, C] statistics');
  // The values are not all zero: the comparison would pass on a broken graph otherwise.
  for (let k = 0; k < names.length; k++)
    assert.ok(
      tfjs[k]!.some((v) => Math.abs(v) > 1e-3),
      names[k],
    );
  tf.dispose([x, w, ...stats]);
});
