import * as tf from '@tensorflow/tfjs';

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

/** Adds the conv2d gradient kernels the wasm backend lacks (Conv2DBackpropFilter; Input if missing), in plain JS. */
export function registerWasmConvGradients(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) registerFilterGrad();
  if (!tf.getKernel('Conv2DBackpropInput', 'wasm')) registerInputGrad();
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
      const [N, H, W, C] = x.shape as [number, number, number, number];
      const {
        outHeight: OH,
        outWidth: OW,
        filterHeight: KH,
        filterWidth: KW,
        outChannels: CO,
        strideHeight: sh,
        strideWidth: sw,
      } = ci;
      const top = ci.padInfo.top;
      const left = ci.padInfo.left;
      const xv = be.typedArrayFromHeap(x);
      const dyv = be.typedArrayFromHeap(dy);
      const out = be.makeOutput([KH, KW, C, CO], 'float32');
      const dw = be.typedArrayFromHeap(out);
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
      const {
        outHeight: OH,
        outWidth: OW,
        filterHeight: KH,
        filterWidth: KW,
        outChannels: CO,
        strideHeight: sh,
        strideWidth: sw,
      } = ci;
      const top = ci.padInfo.top;
      const left = ci.padInfo.left;
      const dyv = be.typedArrayFromHeap(dy);
      const fv = be.typedArrayFromHeap(filter);
      const out = be.makeOutput([N, H, W, C], 'float32');
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
