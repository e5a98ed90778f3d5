import * as tf from '@tensorflow/tfjs';
import { Arena, type Kernels, growKernels, instantiateKernels, simdSupported, view } from './simd/kernels';

interface WasmBackendLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs) {
  if (a.dataFormat !== 'NHWC')
    throw new Error(`dataFormat: only NHWC conv gradients are implemented for wasm (got ${a.dataFormat})`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
}

let registered = false;
/** foldwise's SIMD kernels, where this runtime has WebAssembly SIMD: the filter gradient runs as one product on them. */
let simd: Kernels | undefined;

/**
 * Adds the conv2d gradient kernels the wasm backend lacks: Conv2DBackpropFilter as an im2col product on foldwise's
 * SIMD kernels (plain JS where SIMD is missing), and Conv2DBackpropInput in plain JS if missing.
 */
export async function registerWasmConvGradients(): Promise<void> {
  if (registered) return;
  registered = true;
  if (simdSupported()) simd = await instantiateKernels(1 << 20).catch(() => undefined);
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) registerFilterGrad();
  if (!tf.getKernel('Conv2DBackpropInput', 'wasm')) registerInputGrad();
  // tfjs-backend-wasm's own MaxPoolGrad took 16 of 105 ms of a cnn step (64 images of 28 × 28 × 16); this one ~1.
  if (tf.getKernel('MaxPoolGrad', 'wasm')) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  registerMaxPoolGrad();
}

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Max-pool's gradient: each output's gradient goes to the first largest input of its window (row-major window order,
 * as tfjs's cpu backend picks it); windows that overlap add up.
 */
function registerMaxPoolGrad(): void {
  tf.registerKernel({
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as WasmBackendLike;
      const a = attrs as unknown as PoolAttrs;
      const x = inputs.input!;
      const dy = inputs.dy!;
      const info = tf.backend_util.computePool2DInfo(
        x.shape as [number, number, number, number],
        a.filterSize,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
      );
      const [N, H, W, C] = x.shape as [number, number, number, number];
      const { OH, OW, KH, KW, sh, sw, top, left } = windowOf(info);
      const out = be.makeOutput([N, H, W, C], 'float32');
      const xv = be.typedArrayFromHeap(x);
      const dyv = be.typedArrayFromHeap(dy);
      const dx = be.typedArrayFromHeap(out);
      dx.fill(0);
      if (
        KH === 2 &&
        KW === 2 &&
        sh === 2 &&
        sw === 2 &&
        top === 0 &&
        left === 0 &&
        2 * OH <= H &&
        2 * OW <= W
      ) {
        // The cnn family's pooling (2 × 2, stride 2, no padding): four fixed window positions, same choice of the first.
        for (let n = 0; n < N; n++) {
          for (let oh = 0; oh < OH; oh++) {
            for (let ow = 0; ow < OW; ow++) {
              const b0 = ((n * H + 2 * oh) * W + 2 * ow) * C;
              const b1 = b0 + C;
              const b2 = b0 + W * C;
              const b3 = b2 + C;
              const o = ((n * OH + oh) * OW + ow) * C;
              for (let c = 0; c < C; c++) {
                let i = b0 + c;
                let v = xv[i]!;
                if (xv[b1 + c]! > v) v = xv[(i = b1 + c)]!;
                if (xv[b2 + c]! > v) v = xv[(i = b2 + c)]!;
                if (xv[b3 + c]! > v) i = b3 + c;
                dx[i]! += dyv[o + c]!;
              }
            }
          }
        }
        return out;
      }
      const best = new Float32Array(C);
      const at = new Int32Array(C);
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            best.fill(-Infinity);
            at.fill(-1);
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh + kh - top;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw + kw - left;
                if (iw < 0 || iw >= W) continue;
                const base = ((n * H + ih) * W + iw) * C;
                for (let c = 0; c < C; c++) {
                  const v = xv[base + c]!;
                  if (v > best[c]! || at[c] === -1) {
                    best[c] = v;
                    at[c] = base + c;
                  }
                }
              }
            }
            const o = ((n * OH + oh) * OW + ow) * C;
            for (let c = 0; c < C; c++) if (at[c]! >= 0) dx[at[c]!]! += dyv[o + c]!;
          }
        }
      }
      return out;
    },
  });
}

/** Views of `sizes` float32 regions of the SIMD instance's memory (grown to fit), with their byte offsets. */
function regions(k: Kernels, sizes: number[]): { at: number[]; views: Float32Array[] } {
  const arena = new Arena();
  const at = sizes.map((n) => arena.reserve(n));
  growKernels(k, arena.bytes);
  return { at, views: sizes.map((n, i) => view(k, at[i]!, n)) };
}

/** The window geometry a conv or pool kernel loops over: output size, window size, strides, top-left padding. */
interface Window {
  OH: number;
  OW: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
}

function windowOf(info: tf.backend_util.Conv2DInfo): Window {
  return {
    OH: info.outHeight,
    OW: info.outWidth,
    KH: info.filterHeight,
    KW: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/**
 * dW[KH·KW·C × CO] = colsᵀ · dY, with cols the im2col matrix of x (one row per output position, KH·KW·C values in
 * dW's row order, zeros where the window leaves the padded input) and dY the output gradient as [N·OH·OW × CO].
 */
function filterGradSimd(
  k: Kernels,
  xv: Float32Array,
  dyv: Float32Array,
  dw: Float32Array,
  [N, H, W, C]: [number, number, number, number],
  CO: number,
  { OH, OW, KH, KW, sh, sw, top, left }: Window,
): void {
  const M = N * OH * OW;
  const K = KH * KW * C;
  const {
    at: [colsAt, dyAt, dwAt],
    views: [cols, dy, out],
  } = regions(k, [M * K, M * CO, K * CO]);
  cols!.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const row = ((n * OH + oh) * OW + ow) * K;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh + kh - top;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw + kw - left;
            if (iw < 0 || iw >= W) continue;
            const from = ((n * H + ih) * W + iw) * C;
            const to = row + (kh * KW + kw) * C;
            for (let c = 0; c < C; c++) cols![to + c] = xv[from + c]!;
          }
        }
      }
    }
  }
  dy!.set(dyv.subarray(0, M * CO));
  k.mmTN(M, K, CO, colsAt!, dyAt!, dwAt!);
  dw.set(out!);
}

function registerFilterGrad(): void {
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as WasmBackendLike;
      const x = inputs.x!;
      const dy = inputs.dy!;
      const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
      const ci = convInfo(x.shape, a.filterShape, a);
      const xShape = x.shape as [number, number, number, number];
      const [N, H, W, C] = xShape;
      const CO = ci.outChannels;
      const win = windowOf(ci);
      const { OH, OW, KH, KW, sh, sw, top, left } = win;
      // The output first: allocating it can grow the heap, which detaches views taken before.
      const out = be.makeOutput([KH, KW, C, CO], 'float32');
      const xv = be.typedArrayFromHeap(x);
      const dyv = be.typedArrayFromHeap(dy);
      const dw = be.typedArrayFromHeap(out);
      if (simd) {
        filterGradSimd(simd, xv, dyv, dw, xShape, CO, win);
        return out;
      }
      dw.fill(0);
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let kh = 0; kh < KH; kh++) {
            const ih = oh * sh + kh - top;
            if (ih < 0 || ih >= H) continue;
            for (let ow = 0; ow < OW; ow++) {
              const dyBase = ((n * OH + oh) * OW + ow) * CO;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw + kw - left;
                if (iw < 0 || iw >= W) continue;
                const xBase = ((n * H + ih) * W + iw) * C;
                const wBase = (kh * KW + kw) * C * CO;
                for (let c = 0; c < C; c++) {
                  const xval = xv[xBase + c]!;
                  if (xval === 0) continue;
                  const o = wBase + c * CO;
                  for (let co = 0; co < CO; co++) dw[o + co]! += xval * dyv[dyBase + co]!;
                }
              }
            }
          }
        }
      }
      return out;
    },
  });
}

function registerInputGrad(): void {
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as WasmBackendLike;
      const dy = inputs.dy!;
      const filter = inputs.filter!;
      const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
      const ci = convInfo(a.inputShape, filter.shape, a);
      const [N, H, W, C] = a.inputShape as [number, number, number, number];
      const CO = ci.outChannels;
      const { OH, OW, KH, KW, sh, sw, top, left } = windowOf(ci);
      const out = be.makeOutput([N, H, W, C], 'float32');
      const dyv = be.typedArrayFromHeap(dy);
      const fv = be.typedArrayFromHeap(filter);
      const dx = be.typedArrayFromHeap(out);
      dx.fill(0);
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            const dyBase = ((n * OH + oh) * OW + ow) * CO;
            for (let kh = 0; kh < KH; kh++) {
              const ih = oh * sh + kh - top;
              if (ih < 0 || ih >= H) continue;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sw + kw - left;
                if (iw < 0 || iw >= W) continue;
                const xBase = ((n * H + ih) * W + iw) * C;
                const wBase = (kh * KW + kw) * C * CO;
                for (let c = 0; c < C; c++) {
                  let s = 0;
                  const o = wBase + c * CO;
                  for (let co = 0; co < CO; co++) s += dyv[dyBase + co]! * fv[o + co]!;
                  dx[xBase + c]! += s;
                }
              }
            }
          }
        }
      }
      return out;
    },
  });
}
