import * as tf from '@tensorflow/tfjs';

type Saved = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];

/**
 * The gradient of tfjs's FusedBatchNorm kernel (batch normalisation in the cnn family), with the same values as
 * tfjs-core's own but broadcasting the per-channel factor `scale / √(variance + ε)` over the activations where
 * tfjs-core tiles it to their full shape first: on the wasm backend that one Tile was a third of a cnn training step
 * (64 images of 28 × 28 × 16: 88 of 276 kernel milliseconds). The products are taken in tfjs-core's order
 * (`(dy · r) · scale`), so every value is the same float32.
 */
export const batchNormGradient: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const g = dy as tf.Tensor;
    const [x, mean, variance, scale] = saved as Saved;
    const eps = (attrs as { varianceEpsilon: number }).varianceEpsilon;
    const scaleValue = scale ?? tf.scalar(1);
    // Summed over the axes the statistics were broadcast along (tfjs-core sums only for 1-d statistics and fails on
    // [1, 1, 1, C] ones).
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const toStats = (t: tf.Tensor) => tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, mean.shape);
    const r = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
    return {
      x: () => tf.reshape(tf.mul(tf.mul(g, r), scaleValue), x.shape),
      mean: () => toStats(tf.mul(tf.mul(r, tf.scalar(-1)), tf.mul(g, scaleValue))),
      variance: () =>
        toStats(
          tf.mul(
            tf.mul(tf.mul(tf.mul(tf.mul(r, r), r), tf.scalar(-0.5)), tf.sub(x, mean)),
            tf.mul(g, scaleValue),
          ),
        ),
      scale: () => toStats(tf.mul(g, tf.mul(tf.sub(x, mean), r))),
      offset: () => toStats(g),
    };
  },
};

let registered = false;

/** Puts {@link batchNormGradient} in place of tfjs-core's FusedBatchNorm gradient (every backend; once). */
export function registerFastGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerGradient(batchNormGradient);
}
