import {
  type Label,
  type Labels,
  checkNonEmpty,
  checkSameLength,
  checkWeights,
  encodeLabels,
  formatLabel,
  formatLabels,
  positionsIn,
  smallIntMax,
  smallLabelRanks,
} from './labels';

/** How per-class scores are combined, as scikit-learn's `average`. */
export const Average = {
  Binary: 'binary',
  Micro: 'micro',
  Macro: 'macro',
  Weighted: 'weighted',
} as const;

/** One of the `Average` values. */
export type AverageName = (typeof Average)[keyof typeof Average];

/** Value returned where a ratio has a zero denominator; 'warn' behaves as 0. */
export type ZeroDivision = 0 | 1 | 'warn';

/** Options shared by precision, recall and F-scores. */
export interface PrfOptions {
  average?: AverageName | null;
  posLabel?: Label;
  labels?: readonly Label[];
  zeroDivision?: ZeroDivision;
  sampleWeight?: ArrayLike<number>;
}

/** Options of `fbetaScore`: `beta` is required. */
export interface FbetaOptions extends PrfOptions {
  beta: number;
}

/** Options of `precisionRecallFscoreSupport` (average defaults to null there). */
export interface PrfsOptions extends PrfOptions {
  beta?: number;
}

/** Result of `precisionRecallFscoreSupport`: numbers when averaged, per-label arrays otherwise. */
export type PrfsResult =
  | { precision: number; recall: number; fScore: number; support: null }
  | { precision: number[]; recall: number[]; fScore: number[]; support: number[] };

/** Options of `accuracyScore`. */
export interface AccuracyOptions {
  normalize?: boolean;
  sampleWeight?: ArrayLike<number>;
}

/** How a confusion matrix is normalised: over true rows, predicted columns, or everything. */
export const ConfusionNormalize = { True: 'true', Pred: 'pred', All: 'all' } as const;

/** Options of `confusionMatrix`. */
export interface ConfusionMatrixOptions {
  labels?: readonly Label[];
  sampleWeight?: ArrayLike<number>;
  normalize?: (typeof ConfusionNormalize)[keyof typeof ConfusionNormalize] | null;
}

/** Weighting of disagreements in Cohen's kappa. */
export const KappaWeights = { Linear: 'linear', Quadratic: 'quadratic' } as const;

/** Options of `cohenKappaScore`. */
export interface CohenKappaOptions {
  labels?: readonly Label[];
  weights?: (typeof KappaWeights)[keyof typeof KappaWeights] | null;
  sampleWeight?: ArrayLike<number>;
}

/** Options of `balancedAccuracyScore`. */
export interface BalancedAccuracyOptions {
  adjusted?: boolean;
  sampleWeight?: ArrayLike<number>;
}

/** Options of `matthewsCorrcoef`. */
export interface MatthewsOptions {
  sampleWeight?: ArrayLike<number>;
}

interface ClassCounts {
  classes: Label[];
  tp: Float64Array;
  trueSum: Float64Array;
  predSum: Float64Array;
}

const AVERAGES: readonly (AverageName | null)[] = [...Object.values(Average), null];

function checkPair(yTrue: Labels, yPred: Labels, sampleWeight: ArrayLike<number> | undefined): void {
  checkNonEmpty('yTrue', yTrue);
  checkSameLength('yTrue', yTrue, 'yPred', yPred);
  checkWeights(yTrue, sampleWeight);
}

function countSmall(
  yTrue: Labels,
  yPred: Labels,
  sampleWeight: ArrayLike<number> | undefined,
  max: number,
): ClassCounts {
  const size = max + 1;
  const seen = new Uint8Array(size);
  const tp = new Float64Array(size);
  const trueSum = new Float64Array(size);
  const predSum = new Float64Array(size);
  for (let i = 0; i < yTrue.length; i++) {
    const a = yTrue[i] as number;
    const b = yPred[i] as number;
    const w = sampleWeight === undefined ? 1 : (sampleWeight[i] as number);
    seen[a] = 1;
    seen[b] = 1;
    trueSum[a] = (trueSum[a] as number) + w;
    predSum[b] = (predSum[b] as number) + w;
    if (a === b) tp[a] = (tp[a] as number) + w;
  }
  const classes: number[] = [];
  for (let v = 0; v < size; v++) if (seen[v] === 1) classes.push(v);
  const pick = (x: Float64Array) => Float64Array.from(classes, (v) => x[v] as number);
  return { classes, tp: pick(tp), trueSum: pick(trueSum), predSum: pick(predSum) };
}

function countClasses(
  yTrue: Labels,
  yPred: Labels,
  sampleWeight: ArrayLike<number> | undefined,
): ClassCounts {
  checkPair(yTrue, yPred, sampleWeight);
  const maxTrue = smallIntMax(yTrue);
  const maxPred = maxTrue < 0 ? -1 : smallIntMax(yPred);
  if (maxPred >= 0) return countSmall(yTrue, yPred, sampleWeight, Math.max(maxTrue, maxPred));
  const { classes, codes } = encodeLabels(['yTrue', 'yPred'], [yTrue, yPred]);
  const t = codes[0] as Int32Array;
  const p = codes[1] as Int32Array;
  const k = classes.length;
  const tp = new Float64Array(k);
  const trueSum = new Float64Array(k);
  const predSum = new Float64Array(k);
  if (sampleWeight === undefined) {
    for (let i = 0; i < t.length; i++) {
      const a = t[i] as number;
      const b = p[i] as number;
      trueSum[a] = (trueSum[a] as number) + 1;
      predSum[b] = (predSum[b] as number) + 1;
      if (a === b) tp[a] = (tp[a] as number) + 1;
    }
  } else {
    for (let i = 0; i < t.length; i++) {
      const a = t[i] as number;
      const b = p[i] as number;
      const w = sampleWeight[i] as number;
      trueSum[a] = (trueSum[a] as number) + w;
      predSum[b] = (predSum[b] as number) + w;
      if (a === b) tp[a] = (tp[a] as number) + w;
    }
  }
  return { classes, tp, trueSum, predSum };
}

function checkZeroDivision(zeroDivision: unknown): number {
  if (zeroDivision === 'warn' || zeroDivision === 0) return 0;
  if (zeroDivision === 1) return 1;
  throw new Error(`zeroDivision: must be one of 'warn', 0, 1 (got ${String(zeroDivision)})`);
}

function checkAverage(average: unknown): AverageName | null {
  if (!AVERAGES.includes(average as AverageName | null)) {
    throw new Error(
      `average: unknown value ${JSON.stringify(average)}; expected one of 'binary', 'micro', 'macro', 'weighted', null`,
    );
  }
  return average as AverageName | null;
}

function selectLabels(
  counts: ClassCounts,
  average: AverageName | null,
  posLabel: Label,
  labels: readonly Label[] | undefined,
): readonly Label[] {
  const present = counts.classes;
  if (average !== Average.Binary) return labels ?? present;
  if (present.length > 2) {
    throw new Error(
      "average: target is multiclass but average='binary'; choose another average setting, one of null, 'micro', 'macro', 'weighted'",
    );
  }
  if (!present.includes(posLabel) && present.length >= 2) {
    throw new Error(
      `posLabel: ${formatLabel(posLabel)} is not a valid label; it should be one of ${formatLabels(present)}`,
    );
  }
  return [posLabel];
}

function divide(num: Float64Array, den: Float64Array, zeroValue: number): Float64Array {
  const out = new Float64Array(num.length);
  for (let i = 0; i < num.length; i++) {
    const d = den[i] as number;
    out[i] = d === 0 ? zeroValue : (num[i] as number) / d;
  }
  return out;
}

function mean(x: Float64Array, weights: Float64Array | null): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < x.length; i++) {
    const wi = weights === null ? 1 : (weights[i] as number);
    s += (x[i] as number) * wi;
    w += wi;
  }
  return s / w;
}

function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] as number;
  return s;
}

function prfs(
  yTrue: Labels,
  yPred: Labels,
  options: PrfsOptions,
  defaultAverage: AverageName | null,
): PrfsResult {
  const average = checkAverage(options.average === undefined ? defaultAverage : options.average);
  const zeroValue = checkZeroDivision(options.zeroDivision ?? 'warn');
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new Error(`beta: must be >= 0 in the F-beta score (got ${beta})`);
  const counts = countClasses(yTrue, yPred, options.sampleWeight);
  const selected = selectLabels(counts, average, options.posLabel ?? 1, options.labels);
  const pos = positionsIn(selected, counts.classes);
  const m = average === Average.Micro ? 1 : selected.length;
  const tp = new Float64Array(m);
  const predSum = new Float64Array(m);
  const trueSum = new Float64Array(m);
  for (let j = 0; j < selected.length; j++) {
    const c = pos[j] as number;
    if (c < 0) continue;
    const o = average === Average.Micro ? 0 : j;
    tp[o] = (tp[o] as number) + (counts.tp[c] as number);
    predSum[o] = (predSum[o] as number) + (counts.predSum[c] as number);
    trueSum[o] = (trueSum[o] as number) + (counts.trueSum[c] as number);
  }
  const precision = divide(tp, predSum, zeroValue);
  const recall = divide(tp, trueSum, zeroValue);
  const beta2 = beta * beta;
  const fScore = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const p = precision[j] as number;
    const r = recall[j] as number;
    if (beta === Infinity) {
      fScore[j] = r;
      continue;
    }
    const denom = beta2 * p + r;
    fScore[j] = ((1 + beta2) * p * r) / (denom === 0 ? 1 : denom);
  }
  if (average === null) {
    return {
      precision: Array.from(precision),
      recall: Array.from(recall),
      fScore: Array.from(fScore),
      support: Array.from(trueSum),
    };
  }
  let weights: Float64Array | null = null;
  if (average === Average.Weighted) {
    weights = trueSum;
    if (sum(trueSum) === 0) {
      return sum(predSum) === 0
        ? { precision: zeroValue, recall: zeroValue, fScore: zeroValue, support: null }
        : { precision: 0, recall: zeroValue, fScore: 0, support: null };
    }
  }
  return {
    precision: mean(precision, weights),
    recall: mean(recall, weights),
    fScore: mean(fScore, weights),
    support: null,
  };
}

/** Precision, recall, F-beta and support per label or averaged (scikit-learn's `precision_recall_fscore_support`; average defaults to null). */
export function precisionRecallFscoreSupport(
  yTrue: Labels,
  yPred: Labels,
  options: PrfsOptions = {},
): PrfsResult {
  return prfs(yTrue, yPred, options, null);
}

/** Precision tp / (tp + fp); `average: null` gives the per-label array. */
export function precisionScore(
  yTrue: Labels,
  yPred: Labels,
  options: PrfOptions & { average: null },
): number[];
/** Precision tp / (tp + fp), averaged as `options.average` (default 'binary'). */
export function precisionScore(
  yTrue: Labels,
  yPred: Labels,
  options?: PrfOptions & { average?: AverageName },
): number;
/** Precision tp / (tp + fp). */
export function precisionScore(yTrue: Labels, yPred: Labels, options?: PrfOptions): number | number[];
export function precisionScore(yTrue: Labels, yPred: Labels, options: PrfOptions = {}): number | number[] {
  return prfs(yTrue, yPred, { ...options, beta: 1 }, Average.Binary).precision;
}

/** Recall tp / (tp + fn); `average: null` gives the per-label array. */
export function recallScore(yTrue: Labels, yPred: Labels, options: PrfOptions & { average: null }): number[];
/** Recall tp / (tp + fn), averaged as `options.average` (default 'binary'). */
export function recallScore(
  yTrue: Labels,
  yPred: Labels,
  options?: PrfOptions & { average?: AverageName },
): number;
/** Recall tp / (tp + fn). */
export function recallScore(yTrue: Labels, yPred: Labels, options?: PrfOptions): number | number[];
export function recallScore(yTrue: Labels, yPred: Labels, options: PrfOptions = {}): number | number[] {
  return prfs(yTrue, yPred, { ...options, beta: 1 }, Average.Binary).recall;
}

/** F1, the harmonic mean of precision and recall; `average: null` gives the per-label array. */
export function f1Score(yTrue: Labels, yPred: Labels, options: PrfOptions & { average: null }): number[];
/** F1, averaged as `options.average` (default 'binary'). */
export function f1Score(
  yTrue: Labels,
  yPred: Labels,
  options?: PrfOptions & { average?: AverageName },
): number;
/** F1, the harmonic mean of precision and recall. */
export function f1Score(yTrue: Labels, yPred: Labels, options?: PrfOptions): number | number[];
export function f1Score(yTrue: Labels, yPred: Labels, options: PrfOptions = {}): number | number[] {
  return prfs(yTrue, yPred, { ...options, beta: 1 }, Average.Binary).fScore;
}

/** F-beta, weighting recall `beta` times as much as precision; `average: null` gives the per-label array. */
export function fbetaScore(yTrue: Labels, yPred: Labels, options: FbetaOptions & { average: null }): number[];
/** F-beta, averaged as `options.average` (default 'binary'). */
export function fbetaScore(
  yTrue: Labels,
  yPred: Labels,
  options: FbetaOptions & { average?: AverageName },
): number;
/** F-beta, weighting recall `beta` times as much as precision. */
export function fbetaScore(yTrue: Labels, yPred: Labels, options: FbetaOptions): number | number[];
export function fbetaScore(yTrue: Labels, yPred: Labels, options: FbetaOptions): number | number[] {
  if (typeof options?.beta !== 'number' || Number.isNaN(options.beta)) {
    throw new Error(`beta: must be a number >= 0 (got ${String(options?.beta)})`);
  }
  return prfs(yTrue, yPred, options, Average.Binary).fScore;
}

/** Fraction (or weighted count when `normalize` is false) of exactly matching labels. */
export function accuracyScore(yTrue: Labels, yPred: Labels, options: AccuracyOptions = {}): number {
  const { normalize = true, sampleWeight } = options;
  checkPair(yTrue, yPred, sampleWeight);
  let correct = 0;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const a = yTrue[i];
    const b = yPred[i];
    if (typeof a !== typeof b)
      throw new Error('yPred: mix of label input types (string and number) with yTrue');
    if (a !== a) throw new Error(`yTrue[${i}]: label is NaN`);
    const w = sampleWeight === undefined ? 1 : (sampleWeight[i] as number);
    if (a === b) correct += w;
    total += w;
  }
  if (!normalize) return correct;
  if (total === 0) throw new Error('sampleWeight: weights sum to zero');
  return correct / total;
}

interface Matrix {
  labels: Label[];
  cells: Float64Array;
}

function confusionCells(
  yTrue: Labels,
  yPred: Labels,
  labels: readonly Label[] | undefined,
  sampleWeight: ArrayLike<number> | undefined,
): Matrix {
  checkPair(yTrue, yPred, sampleWeight);
  if (labels !== undefined && labels.length === 0)
    throw new Error('labels: should contain at least one label');
  const maxTrue = labels === undefined ? smallIntMax(yTrue) : -1;
  const maxPred = maxTrue < 0 ? -1 : smallIntMax(yPred);
  if (maxPred >= 0) {
    const { classes, rank } = smallLabelRanks([yTrue, yPred], Math.max(maxTrue, maxPred));
    const k = classes.length;
    const cells = new Float64Array(k * k);
    for (let i = 0; i < yTrue.length; i++) {
      const at = (rank[yTrue[i] as number] as number) * k + (rank[yPred[i] as number] as number);
      cells[at] = (cells[at] as number) + (sampleWeight === undefined ? 1 : (sampleWeight[i] as number));
    }
    return { labels: classes, cells };
  }
  const { classes, codes } = encodeLabels(['yTrue', 'yPred'], [yTrue, yPred]);
  const t = codes[0] as Int32Array;
  const p = codes[1] as Int32Array;
  const out = labels === undefined ? classes : [...labels];
  const k = out.length;
  const at = labels === undefined ? Int32Array.from(classes, (_, i) => i) : positionsIn(classes, labels);
  if (labels !== undefined) {
    const inTrue = new Uint8Array(classes.length);
    for (let i = 0; i < t.length; i++) inTrue[t[i] as number] = 1;
    if (!classes.some((_, c) => inTrue[c] === 1 && (at[c] as number) >= 0)) {
      throw new Error('labels: at least one label specified must be in yTrue');
    }
  }
  const cells = new Float64Array(k * k);
  for (let i = 0; i < t.length; i++) {
    const r = at[t[i] as number] as number;
    const c = at[p[i] as number] as number;
    if (r < 0 || c < 0) continue;
    cells[r * k + c] =
      (cells[r * k + c] as number) + (sampleWeight === undefined ? 1 : (sampleWeight[i] as number));
  }
  return { labels: out, cells };
}

function toRows(cells: Float64Array, k: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < k; r++) rows.push(Array.from(cells.subarray(r * k, r * k + k)));
  return rows;
}

/** Confusion matrix: rows are true labels, columns predicted labels, both in sorted (or `labels`) order. */
export function confusionMatrix(
  yTrue: Labels,
  yPred: Labels,
  options: ConfusionMatrixOptions = {},
): number[][] {
  const { normalize = null } = options;
  if (normalize !== null && !Object.values(ConfusionNormalize).includes(normalize)) {
    throw new Error(
      `normalize: must be one of 'true', 'pred', 'all', null (got ${JSON.stringify(normalize)})`,
    );
  }
  const { labels, cells } = confusionCells(yTrue, yPred, options.labels, options.sampleWeight);
  const k = labels.length;
  if (normalize === null) return toRows(cells, k);
  const den = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = cells[r * k + c] as number;
      const at = normalize === ConfusionNormalize.True ? r : normalize === ConfusionNormalize.Pred ? c : 0;
      den[at] = (den[at] as number) + v;
    }
  }
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const d = den[
        normalize === ConfusionNormalize.True ? r : normalize === ConfusionNormalize.Pred ? c : 0
      ] as number;
      const q = (cells[r * k + c] as number) / d;
      cells[r * k + c] = Number.isFinite(q) ? q : 0;
    }
  }
  return toRows(cells, k);
}

/** Mean per-class recall over classes present in `yTrue`; `adjusted` rescales chance to 0. */
export function balancedAccuracyScore(
  yTrue: Labels,
  yPred: Labels,
  options: BalancedAccuracyOptions = {},
): number {
  const { tp, trueSum } = countClasses(yTrue, yPred, options.sampleWeight);
  let s = 0;
  let n = 0;
  for (let c = 0; c < tp.length; c++) {
    const d = trueSum[c] as number;
    if (d === 0) continue;
    s += (tp[c] as number) / d;
    n++;
  }
  const score = s / n;
  if (!options.adjusted) return score;
  const chance = 1 / n;
  return (score - chance) / (1 - chance);
}

/** Cohen's kappa between two raters, optionally with linear or quadratic disagreement weights. */
export function cohenKappaScore(y1: Labels, y2: Labels, options: CohenKappaOptions = {}): number {
  const { weights = null } = options;
  if (weights !== null && !Object.values(KappaWeights).includes(weights)) {
    throw new Error(
      `weights: unknown kappa weighting ${JSON.stringify(weights)}; expected 'linear', 'quadratic' or null`,
    );
  }
  const { labels, cells } = confusionCells(y1, y2, options.labels, options.sampleWeight);
  const k = labels.length;
  const colSum = new Float64Array(k);
  const rowSum = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const v = cells[r * k + c] as number;
      rowSum[r] = (rowSum[r] as number) + v;
      colSum[c] = (colSum[c] as number) + v;
    }
  }
  const total = sum(colSum);
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const d = Math.abs(i - j);
      const w = weights === null ? (d === 0 ? 0 : 1) : weights === KappaWeights.Linear ? d : d * d;
      observed += w * (cells[i * k + j] as number);
      expected += (w * (colSum[i] as number) * (rowSum[j] as number)) / total;
    }
  }
  return 1 - observed / expected;
}

/** Matthews correlation coefficient, multi-class generalisation (R_K); 0 when undefined. */
export function matthewsCorrcoef(yTrue: Labels, yPred: Labels, options: MatthewsOptions = {}): number {
  const { tp, trueSum, predSum } = countClasses(yTrue, yPred, options.sampleWeight);
  const correct = sum(tp);
  const n = sum(predSum);
  let tp2 = 0;
  let pp = 0;
  let tt = 0;
  for (let c = 0; c < tp.length; c++) {
    const t = trueSum[c] as number;
    const p = predSum[c] as number;
    tp2 += t * p;
    pp += p * p;
    tt += t * t;
  }
  const covTP = correct * n - tp2;
  const covPP = n * n - pp;
  const covTT = n * n - tt;
  if (covPP * covTT === 0) return 0;
  return covTP / Math.sqrt(covTT * covPP);
}
