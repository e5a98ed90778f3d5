import { DatasetError, DatasetErrorCode } from './errors';

/** Feature scalings a preprocessor can fit. */
export const Scale = { Standard: 'standard', MinMax: 'minmax', None: 'none', Image: 'image' } as const;
/** One of the values of `Scale`. */
export type Scale = (typeof Scale)[keyof typeof Scale];

/** What to fit: a scaling, and for 'image' the largest pixel value (default 255). */
export interface PreprocessSpec {
  scale: Scale;
  max?: number;
}

/** Fitted parameters, JSON-serialisable; `transform` computes `(x - offset[j]) / scale[j]` (minmax: onto [0, 1]). */
export type PreprocessorState =
  | { scale: 'standard'; nFeatures: number; mean: number[]; std: number[]; nSamplesSeen: number }
  | { scale: 'minmax'; nFeatures: number; min: number[]; range: number[]; nSamplesSeen: number }
  | { scale: 'image'; nFeatures: number; max: number }
  | { scale: 'none'; nFeatures: number };

/** A fitted preprocessor: its state and a transform that gathers and scales rows. */
export interface Preprocessor {
  state: PreprocessorState;
  transform(X: Float32Array, idx: Uint32Array): Float32Array;
}

const EPS = Number.EPSILON;

function checkShape(X: Float32Array, nFeatures: number, idx: Uint32Array, what: string): number {
  if (!Number.isInteger(nFeatures) || nFeatures <= 0) {
    throw new DatasetError(
      DatasetErrorCode.InvalidOption,
      `nFeatures: must be a positive integer (got ${nFeatures})`,
    );
  }
  if (X.length % nFeatures !== 0) {
    throw new DatasetError(
      DatasetErrorCode.InvalidOption,
      `X: length ${X.length} is not a multiple of nFeatures=${nFeatures}`,
    );
  }
  const n = X.length / nFeatures;
  for (let k = 0; k < idx.length; k++) {
    if ((idx[k] as number) >= n) {
      throw new DatasetError(
        DatasetErrorCode.InvalidOption,
        `${what}[${k}]: row ${idx[k]} is out of range for ${n} rows`,
      );
    }
  }
  return n;
}

/** Copies the rows `idx` of a row-major matrix into a new matrix. */
export function gatherRows(X: Float32Array, nFeatures: number, idx: Uint32Array): Float32Array {
  checkShape(X, nFeatures, idx, 'idx');
  const out = new Float32Array(idx.length * nFeatures);
  for (let k = 0; k < idx.length; k++) {
    const r = idx[k] as number;
    out.set(X.subarray(r * nFeatures, (r + 1) * nFeatures), k * nFeatures);
  }
  return out;
}

/** Copies the labels `idx` into a new array. */
export function gatherLabels(y: Float64Array, idx: Uint32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const r = idx[k] as number;
    if (r >= y.length)
      throw new DatasetError(
        DatasetErrorCode.InvalidOption,
        `idx[${k}]: row ${r} is out of range for ${y.length} labels`,
      );
    out[k] = y[r] as number;
  }
  return out;
}

function affine(
  X: Float32Array,
  nFeatures: number,
  idx: Uint32Array,
  offset: number[],
  divisor: number[],
): Float32Array {
  checkShape(X, nFeatures, idx, 'idx');
  const out = new Float32Array(idx.length * nFeatures);
  for (let k = 0; k < idx.length; k++) {
    const src = (idx[k] as number) * nFeatures;
    const dst = k * nFeatures;
    for (let j = 0; j < nFeatures; j++)
      out[dst + j] = ((X[src + j] as number) - (offset[j] as number)) / (divisor[j] as number);
  }
  return out;
}

/** Rebuilds a preprocessor from a saved state (for a refit or a resumed fold). */
export function preprocessorFromState(state: PreprocessorState): Preprocessor {
  const d = state.nFeatures;
  switch (state.scale) {
    case 'standard':
      return { state, transform: (X, idx) => affine(X, d, idx, state.mean, state.std) };
    case 'minmax':
      return { state, transform: (X, idx) => affine(X, d, idx, state.min, state.range) };
    case 'image': {
      const zeros = new Array<number>(d).fill(0);
      const max = new Array<number>(d).fill(state.max);
      return { state, transform: (X, idx) => affine(X, d, idx, zeros, max) };
    }
    case 'none':
      return { state, transform: (X, idx) => gatherRows(X, d, idx) };
    default:
      throw new DatasetError(
        DatasetErrorCode.InvalidOption,
        `state.scale: unknown scaling '${String((state as { scale: unknown }).scale)}'`,
      );
  }
}

/** Fits a scaling on the training rows only (float64 accumulators; 'standard' = scikit-learn's StandardScaler with population std and near-constant features scaled by 1, 'minmax' = MinMaxScaler onto [0, 1], 'image' = divide by `max`). */
export function fitPreprocessor(
  spec: PreprocessSpec,
  X: Float32Array,
  nFeatures: number,
  trainIdx: Uint32Array,
): Preprocessor {
  checkShape(X, nFeatures, trainIdx, 'trainIdx');
  const d = nFeatures;
  const n = trainIdx.length;
  if (spec.scale === Scale.None) return preprocessorFromState({ scale: 'none', nFeatures: d });
  if (spec.scale === Scale.Image) {
    const max = spec.max ?? 255;
    if (!(max > 0) || !Number.isFinite(max))
      throw new DatasetError(DatasetErrorCode.InvalidOption, `max: must be a positive number (got ${max})`);
    return preprocessorFromState({ scale: 'image', nFeatures: d, max });
  }
  if (spec.scale !== Scale.Standard && spec.scale !== Scale.MinMax) {
    throw new DatasetError(
      DatasetErrorCode.InvalidOption,
      `scale: must be one of ${Object.values(Scale).join(', ')} (got '${String(spec.scale)}')`,
    );
  }
  if (n === 0) throw new DatasetError(DatasetErrorCode.InvalidOption, 'trainIdx: no training rows to fit on');
  if (spec.scale === Scale.Standard) {
    const mean = new Array<number>(d).fill(0);
    const variance = new Array<number>(d).fill(0);
    for (let k = 0; k < n; k++) {
      const o = (trainIdx[k] as number) * d;
      for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (X[o + j] as number);
    }
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / n;
    for (let k = 0; k < n; k++) {
      const o = (trainIdx[k] as number) * d;
      for (let j = 0; j < d; j++) {
        const c = (X[o + j] as number) - (mean[j] as number);
        variance[j] = (variance[j] as number) + c * c;
      }
    }
    const std = variance.map((v, j) => {
      const varj = v / n;
      const m = mean[j] as number;
      const constant = varj <= n * EPS * varj + (n * m * EPS) ** 2;
      const s = Math.sqrt(varj);
      return constant || s < 10 * EPS ? 1 : s;
    });
    return preprocessorFromState({ scale: 'standard', nFeatures: d, mean, std, nSamplesSeen: n });
  }
  const min = new Array<number>(d).fill(Infinity);
  const maxv = new Array<number>(d).fill(-Infinity);
  for (let k = 0; k < n; k++) {
    const o = (trainIdx[k] as number) * d;
    for (let j = 0; j < d; j++) {
      const v = X[o + j] as number;
      if (v < (min[j] as number)) min[j] = v;
      if (v > (maxv[j] as number)) maxv[j] = v;
    }
  }
  const range = min.map((lo, j) => {
    const r = (maxv[j] as number) - lo;
    return r < 10 * EPS ? 1 : r;
  });
  return preprocessorFromState({ scale: 'minmax', nFeatures: d, min, range, nSamplesSeen: n });
}
