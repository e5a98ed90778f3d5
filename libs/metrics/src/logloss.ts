import {
  type Label,
  type Labels,
  checkNonEmpty,
  checkSameLength,
  checkWeights,
  encodeLabels,
  formatLabel,
  formatLabels,
  uniqueSorted,
} from './labels';
import { type ScoreMatrix, ROW_SUM_TOLERANCE, asMatrix, checkRowSums } from './proba';

/** Options of `logLoss`. */
export interface LogLossOptions {
  eps?: number | 'auto';
  normalize?: boolean;
  sampleWeight?: ArrayLike<number>;
  labels?: readonly Label[];
  nClasses?: number;
}

const FLOAT64_EPS = 2 ** -52;
const FLOAT32_EPS = 2 ** -23;

function clip(p: number, eps: number): number {
  return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

function classCodes(
  yTrue: Labels,
  labels: readonly Label[] | undefined,
): { classes: Label[]; codes: Int32Array } {
  const { classes: present, codes } = encodeLabels(['yTrue'], [yTrue]);
  const t = codes[0] as Int32Array;
  if (labels === undefined) {
    if (present.length === 1) {
      throw new Error(
        `yTrue: contains only one label (${formatLabel(present[0] as Label)}); provide the true labels explicitly through labels`,
      );
    }
    return { classes: present, codes: t };
  }
  const classes = uniqueSorted(labels);
  if (classes.length < 2)
    throw new Error(`labels: needs at least two labels for logLoss, got ${formatLabels(classes)}`);
  const at = new Map(classes.map((l, i) => [l, i]));
  const remap = present.map((l) => at.get(l) ?? -1);
  const missing = present.filter((_, i) => remap[i] === -1);
  if (missing.length > 0) throw new Error(`yTrue: contains labels not in labels: ${formatLabels(missing)}`);
  return { classes, codes: t.map((c) => remap[c] as number) };
}

/** Cross-entropy of probabilistic predictions: binary P(greater label) per sample, or a probability matrix whose columns follow the sorted labels. */
export function logLoss(
  yTrue: Labels,
  yProba: ArrayLike<number> | ScoreMatrix,
  options: LogLossOptions = {},
): number {
  const { normalize = true, sampleWeight } = options;
  checkNonEmpty('yTrue', yTrue);
  checkWeights(yTrue, sampleWeight);
  const m = asMatrix('yProba', yProba, options.nClasses);
  const rows = m === null ? yProba.length : m.rows;
  checkSameLength('yTrue', yTrue, 'yProba', { length: rows });
  const data = m === null ? (yProba as ArrayLike<number>) : m.data;
  const eps =
    options.eps === undefined || options.eps === 'auto'
      ? data instanceof Float32Array
        ? FLOAT32_EPS
        : FLOAT64_EPS
      : options.eps;
  if (!(eps >= 0 && eps < 0.5)) throw new Error(`eps: must be 'auto' or a number in [0, 0.5) (got ${eps})`);
  const { classes, codes } = classCodes(yTrue, options.labels);
  const cols = m === null ? 2 : m.cols;
  if (classes.length !== cols) {
    throw new Error(
      `yProba: has ${cols} columns but there are ${classes.length} classes ${formatLabels(classes)}; provide labels explicitly`,
    );
  }
  let total = 0;
  let weightSum = 0;
  if (m === null) {
    for (let i = 0; i < rows; i++) {
      const p = data[i] as number;
      if (!(p >= 0 && p <= 1)) throw new Error(`yProba[${i}]: must be a probability in [0, 1] (got ${p})`);
      const q = clip(p, eps);
      const r = 1 - q;
      const w = sampleWeight === undefined ? 1 : (sampleWeight[i] as number);
      total -= w * Math.log((codes[i] === 1 ? q : r) / (r + q));
      weightSum += w;
    }
  } else {
    for (let i = 0; i < rows; i++) {
      let raw = 0;
      let s = 0;
      for (let j = 0; j < cols; j++) {
        const v = data[i * cols + j] as number;
        raw += v;
        s += v < eps ? eps : v > 1 - eps ? 1 - eps : v;
      }
      if (!(Math.abs(raw - 1) <= ROW_SUM_TOLERANCE)) checkRowSums('yProba', { data, rows: i + 1, cols });
      const q = clip(data[i * cols + (codes[i] as number)] as number, eps);
      const w = sampleWeight === undefined ? 1 : (sampleWeight[i] as number);
      total -= w * Math.log(q / s);
      weightSum += w;
    }
  }
  if (!normalize) return total;
  if (weightSum === 0) throw new Error('sampleWeight: weights sum to zero');
  return total / weightSum;
}
