import {
  type Label,
  type Labels,
  checkNonEmpty,
  checkSameLength,
  compareLabels,
  encodeLabels,
  formatLabel,
  formatLabels,
} from './labels';
import { type MatrixView, type ScoreMatrix, asMatrix, checkFinite, checkRowSums } from './proba';
import { sortFloat64 } from './sort';

/** Multi-class strategy of `rocAucScore`: one-vs-rest or one-vs-one. */
export const MultiClass = { Ovr: 'ovr', Ovo: 'ovo' } as const;

/** How per-class (or per-pair) AUCs are combined for multi-class targets. */
export const RocAverage = { Macro: 'macro', Weighted: 'weighted' } as const;

/** Options of `rocAucScore`. */
export interface RocAucOptions {
  multiClass?: (typeof MultiClass)[keyof typeof MultiClass];
  average?: (typeof RocAverage)[keyof typeof RocAverage];
  labels?: readonly Label[];
  nClasses?: number;
}

/** Options of `averagePrecisionScore`. */
export interface AveragePrecisionOptions {
  posLabel?: Label;
}

function gather(
  scores: ArrayLike<number>,
  stride: number,
  offset: number,
  codes: Int32Array,
  positive: (code: number) => boolean,
  negative: (code: number) => boolean,
): [Float64Array, Float64Array] {
  let np = 0;
  let nn = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    if (positive(c)) np++;
    else if (negative(c)) nn++;
  }
  const pos = new Float64Array(np);
  const neg = new Float64Array(nn);
  np = 0;
  nn = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    const s = scores[i * stride + offset] as number;
    if (positive(c)) pos[np++] = s;
    else if (negative(c)) neg[nn++] = s;
  }
  sortFloat64(pos);
  sortFloat64(neg);
  return [pos, neg];
}

function sortedAuc(pos: Float64Array, neg: Float64Array): number {
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let area = 0;
  while (i >= 0 || j >= 0) {
    const s =
      i < 0 ? (neg[j] as number) : j < 0 ? (pos[i] as number) : Math.max(pos[i] as number, neg[j] as number);
    let dp = 0;
    while (i >= 0 && pos[i] === s) {
      dp++;
      i--;
    }
    let dn = 0;
    while (j >= 0 && neg[j] === s) {
      dn++;
      j--;
    }
    area += dn * (tp + dp / 2);
    tp += dp;
  }
  return area / (pos.length * neg.length);
}

function sortedAveragePrecision(pos: Float64Array, neg: Float64Array): number {
  const total = pos.length;
  if (total === 0) return 0;
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  while (i >= 0 || j >= 0) {
    const s =
      i < 0 ? (neg[j] as number) : j < 0 ? (pos[i] as number) : Math.max(pos[i] as number, neg[j] as number);
    let dp = 0;
    while (i >= 0 && pos[i] === s) {
      dp++;
      i--;
    }
    while (j >= 0 && neg[j] === s) {
      fp++;
      j--;
    }
    tp += dp;
    if (dp > 0) ap += (dp / total) * (tp / (tp + fp));
  }
  return ap;
}

function binaryAuc(yTrue: Labels, scores: ArrayLike<number>, stride: number, offset: number): number {
  const { classes, codes } = encodeLabels(['yTrue'], [yTrue]);
  if (classes.length === 1)
    throw new Error('yTrue: only one class present; ROC AUC score is not defined in that case');
  if (classes.length > 2) {
    throw new Error(
      'yScore: yTrue is multi-class, so yScore must be a probability matrix (rows, or a flat array with nClasses)',
    );
  }
  const [pos, neg] = gather(
    scores,
    stride,
    offset,
    codes[0] as Int32Array,
    (c) => c === 1,
    (c) => c === 0,
  );
  return sortedAuc(pos, neg);
}

function multiClassAuc(yTrue: Labels, m: MatrixView, options: RocAucOptions): number {
  const { multiClass, average = RocAverage.Macro } = options;
  if (multiClass === undefined) throw new Error("multiClass: must be 'ovr' or 'ovo' for multi-class targets");
  if (!Object.values(MultiClass).includes(multiClass)) {
    throw new Error(`multiClass: unknown value ${JSON.stringify(multiClass)}; expected 'ovr' or 'ovo'`);
  }
  if (!Object.values(RocAverage).includes(average)) {
    throw new Error(
      `average: unknown value ${JSON.stringify(average)}; expected 'macro' or 'weighted' for multi-class ROC AUC`,
    );
  }
  checkRowSums('yScore', m);
  const { classes: present, codes } = encodeLabels(['yTrue'], [yTrue]);
  let t = codes[0] as Int32Array;
  let classes: readonly Label[] = present;
  if (options.labels !== undefined) {
    const labels = options.labels;
    if (new Set(labels).size !== labels.length) throw new Error('labels: must be unique');
    for (let i = 1; i < labels.length; i++) {
      if (compareLabels(labels[i - 1] as Label, labels[i] as Label) > 0)
        throw new Error('labels: must be ordered');
    }
    if (labels.length !== m.cols) {
      throw new Error(
        `labels: number of given labels, ${labels.length}, not equal to the number of columns in yScore, ${m.cols}`,
      );
    }
    const at = new Map(labels.map((l, i) => [l, i]));
    const remap = present.map((l) => at.get(l) ?? -1);
    const missing = present.filter((_, i) => remap[i] === -1);
    if (missing.length > 0) throw new Error(`yTrue: contains labels not in labels: ${formatLabels(missing)}`);
    t = t.map((c) => remap[c] as number);
    classes = labels;
  } else if (present.length !== m.cols) {
    throw new Error(
      `yScore: number of classes in yTrue (${present.length}) not equal to the number of columns in yScore (${m.cols})`,
    );
  }
  const k = classes.length;
  const counts = new Float64Array(k);
  for (let i = 0; i < t.length; i++) counts[t[i] as number] = (counts[t[i] as number] as number) + 1;
  const n = t.length;
  let s = 0;
  let w = 0;
  if (multiClass === MultiClass.Ovr) {
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        throw new Error(
          `yTrue: class ${formatLabel(classes[c] as Label)} is absent; ROC AUC score is not defined for it`,
        );
      }
      const [pos, neg] = gather(
        m.data,
        k,
        c,
        t,
        (x) => x === c,
        (x) => x !== c,
      );
      const wc = average === RocAverage.Weighted ? (counts[c] as number) : 1;
      s += wc * sortedAuc(pos, neg);
      w += wc;
    }
    return s / w;
  }
  for (let a = 0; a < k; a++) {
    if (counts[a] === 0) continue;
    for (let b = a + 1; b < k; b++) {
      if (counts[b] === 0) continue;
      const [pa, na] = gather(
        m.data,
        k,
        a,
        t,
        (x) => x === a,
        (x) => x === b,
      );
      const [pb, nb] = gather(
        m.data,
        k,
        b,
        t,
        (x) => x === b,
        (x) => x === a,
      );
      const pair = (sortedAuc(pa, na) + sortedAuc(pb, nb)) / 2;
      const wp = average === RocAverage.Weighted ? ((counts[a] as number) + (counts[b] as number)) / n : 1;
      s += wp * pair;
      w += wp;
    }
  }
  return s / w;
}

/** Area under the ROC curve: binary scores (positive class = greater label) or a multi-class probability matrix with `multiClass`. */
export function rocAucScore(
  yTrue: Labels,
  yScore: ArrayLike<number> | ScoreMatrix,
  options: RocAucOptions = {},
): number {
  checkNonEmpty('yTrue', yTrue);
  const m = asMatrix('yScore', yScore, options.nClasses);
  if (m === null) {
    checkSameLength('yTrue', yTrue, 'yScore', yScore);
    checkFinite('yScore', yScore as ArrayLike<number>);
    return binaryAuc(yTrue, yScore as ArrayLike<number>, 1, 0);
  }
  checkSameLength('yTrue', yTrue, 'yScore', { length: m.rows });
  checkFinite('yScore', m.data);
  if (m.cols === 2 && options.labels === undefined) return binaryAuc(yTrue, m.data, 2, 1);
  if (m.cols < 2) throw new Error(`yScore: a probability matrix needs at least 2 columns (got ${m.cols})`);
  return multiClassAuc(yTrue, m, options);
}

/** Average precision, scikit-learn's step-wise sum of (R_n - R_{n-1}) * P_n over thresholds; binary targets only. */
export function averagePrecisionScore(
  yTrue: Labels,
  yScore: ArrayLike<number>,
  options: AveragePrecisionOptions = {},
): number {
  const { posLabel = 1 } = options;
  checkNonEmpty('yTrue', yTrue);
  checkSameLength('yTrue', yTrue, 'yScore', yScore);
  checkFinite('yScore', yScore);
  const { classes, codes } = encodeLabels(['yTrue'], [yTrue]);
  if (classes.length > 2)
    throw new Error('yTrue: multiclass format is not supported; averagePrecisionScore needs binary targets');
  const posCode = classes.indexOf(posLabel);
  if (posCode < 0 && classes.length === 2) {
    throw new Error(
      `posLabel: ${formatLabel(posLabel)} is not a valid label; it should be one of ${formatLabels(classes)}`,
    );
  }
  const [pos, neg] = gather(
    yScore,
    1,
    0,
    codes[0] as Int32Array,
    (c) => c === posCode,
    (c) => c !== posCode,
  );
  return sortedAveragePrecision(pos, neg);
}
