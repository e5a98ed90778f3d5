import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from './rng';
import { selectBackend } from './backend';

function randomArray(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.next() * 2 - 1);
}

async function convGrads(
  backend: string,
  x: Float32Array,
  f: Float32Array,
  w: Float32Array,
  xs: number[],
  fs: number[],
  os: number[],
  strides: number,
  pad: 'same' | 'valid',
) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, xs as [number, number, number, number]);
    const ft = tf.tensor4d(f, fs as [number, number, number, number]);
    const wt = tf.tensor4d(w, os as [number, number, number, number]);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), wt)),
    );
    const [dx, df] = g([xt, ft]);
    return { dx: Array.from(dx!.dataSync()), df: Array.from(df!.dataSync()) };
  });
}

test('the JavaScript conv2d gradient kernels registered for wasm agree with the cpu backend', async () => {
  await selectBackend('wasm');
  for (const [strides, pad] of [
    [1, 'same'],
    [2, 'same'],
    [1, 'valid'],
    [2, 'valid'],
  ] as const) {
    const xs = [2, 7, 6, 3];
    const fs = [3, 3, 3, 4];
    const oh = pad === 'same' ? Math.ceil(7 / strides) : Math.ceil((7 - 2) / strides);
    const ow = pad === 'same' ? Math.ceil(6 / strides) : Math.ceil((6 - 2) / strides);
    const os = [2, oh, ow, 4];
    const x = randomArray(2 * 7 * 6 * 3, 1);
    const f = randomArray(3 * 3 * 3 * 4, 2);
    const w = randomArray(
      os.reduce((a, b) => a * b, 1),
      3,
    );
    const cpu = await convGrads('cpu', x, f, w, xs, fs, os, strides, pad);
    const wasm = await convGrads('wasm', x, f, w, xs, fs, os, strides, pad);
    const diff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    assert.ok(
      diff(cpu.df, wasm.df) < 1e-4,
      `filter gradient, strides ${strides}, ${pad}: ${diff(cpu.df, wasm.df)}`,
    );
    assert.ok(
      diff(cpu.dx, wasm.dx) < 1e-4,
      `input gradient, strides ${strides}, ${pad}: ${diff(cpu.dx, wasm.dx)}`,
    );
  }
  assert.equal(tf.getBackend(), 'wasm');
});

test('the max-pool gradient registered for wasm agrees with the cpu backend (pool sizes, strides, padding)', async () => {
  await selectBackend('wasm');
  const run = async (backend: string, x: Float32Array, w: Float32Array, cfg: PoolCase) => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const xt = tf.tensor4d(x, cfg.shape);
      const f = (a: tf.Tensor) => {
        const p = tf.maxPool(a as tf.Tensor4D, cfg.size, cfg.stride, cfg.pad);
        return tf.sum(tf.mul(p, tf.tensor(w.subarray(0, p.size), p.shape)));
      };
      return Array.from(tf.grad(f)(xt).dataSync());
    });
  };
  interface PoolCase {
    shape: [number, number, number, number];
    size: number;
    stride: number;
    pad: 'same' | 'valid';
  }
  const cases: PoolCase[] = [
    { shape: [2, 8, 8, 3], size: 2, stride: 2, pad: 'valid' },
    { shape: [2, 7, 6, 4], size: 2, stride: 2, pad: 'same' },
    { shape: [1, 7, 7, 2], size: 3, stride: 1, pad: 'same' },
    { shape: [3, 9, 5, 1], size: 3, stride: 2, pad: 'valid' },
  ];
  for (const cfg of cases) {
    const n = cfg.shape.reduce((p, v) => p * v, 1);
    // Quantised values: ties inside windows, which both backends must break the same way (the first largest).
    const x = randomArray(n, 11).map((v) => Math.round(v * 3) / 3);
    const w = randomArray(n, 12);
    const cpu = await run('cpu', x, w, cfg);
    const wasm = await run('wasm', x, w, cfg);
    const worst = Math.max(...cpu.map((v, i) => Math.abs(v - wasm[i]!)));
    assert.ok(worst < 1e-5, `${JSON.stringify(cfg)}: ${worst}`);
    assert.ok(cpu.some((v) => v !== 0));
  }
  assert.equal(tf.getBackend(), 'wasm');
});
