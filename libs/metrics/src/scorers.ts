import {
  accuracyScore,
  balancedAccuracyScore,
  cohenKappaScore,
  f1Score,
  matthewsCorrcoef,
  precisionScore,
  recallScore,
  type AverageName,
} from './classification';
import { type Label } from './labels';
import { logLoss } from './logloss';
import { averagePrecisionScore, rocAucScore } from './ranking';
import { meanAbsoluteError, meanSquaredError, r2Score, rootMeanSquaredError } from './regression';

/** What a scorer reads: hard predictions or class probabilities. */
export const ScorerNeeds = { Pred: 'pred', Proba: 'proba' } as const;

/** The kind of task a scorer applies to. */
export const ScorerTask = { Classification: 'classification', Regression: 'regression' } as const;

/** Input of a scorer: true labels, and predictions or probabilities whose columns follow `labels` (default: sorted labels of yTrue). */
export interface ScorerInput {
  yTrue: ArrayLike<number | string>;
  yPred?: ArrayLike<number | string>;
  proba?: number[][];
  labels?: (number | string)[];
}

/** The values a scorer can return: `[low, high]`, an infinite end where the scorer is unbounded on that side. */
export interface ScoreRange {
  low: number;
  high: number;
}

/** [0, 1]: accuracy, F-scores, precision, recall, balanced accuracy, ROC AUC, average precision. */
const UNIT: ScoreRange = { low: 0, high: 1 };
/** [−1, 1]: correlation-like scores (MCC, Cohen's kappa). */
const SIGNED_UNIT: ScoreRange = { low: -1, high: 1 };
/** [0, ∞): losses and errors. */
const LOSS: ScoreRange = { low: 0, high: Infinity };
/** (−∞, 0]: negated losses and errors. */
const NEG_LOSS: ScoreRange = { low: -Infinity, high: 0 };

/** A named metric with its direction, as scikit-learn's scorers. */
export interface Scorer {
  name: string;
  greaterIsBetter: boolean;
  needs: 'pred' | 'proba';
  task: 'classification' | 'regression';
  /** Every value the scorer can return lies in this range (intervals of its mean are kept inside it). */
  range: ScoreRange;
  score(input: ScorerInput): number;
}

function predOf(name: string, input: ScorerInput): ArrayLike<Label> {
  if (input.yPred === undefined) throw new Error(`yPred: scorer '${name}' needs predictions`);
  return input.yPred;
}

function numeric(
  name: string,
  field: 'yTrue' | 'yPred',
  y: ArrayLike<number | string> | undefined,
): ArrayLike<number> {
  if (y === undefined) throw new Error(`${field}: scorer '${name}' needs ${field}`);
  for (let i = 0; i < y.length; i++) {
    if (typeof y[i] !== 'number')
      throw new Error(`${field}[${i}]: scorer '${name}' needs numeric targets (got ${JSON.stringify(y[i])})`);
  }
  return y as ArrayLike<number>;
}

function probaOf(name: string, input: ScorerInput): number[][] {
  if (input.proba === undefined) throw new Error(`proba: scorer '${name}' needs class probabilities`);
  return input.proba;
}

function binaryColumn(input: ScorerInput, proba: number[][]): number[] | null {
  if (proba.length === 0 || (proba[0] as number[]).length > 2) return null;
  if (new Set(Array.from(input.yTrue)).size > 2) return null;
  return proba.map((row) => row[row.length - 1] as number);
}

function labelsOption(input: ScorerInput): { labels?: (number | string)[] } {
  return input.labels === undefined ? {} : { labels: input.labels };
}

function pred(
  name: string,
  score: (yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>) => number,
  range: ScoreRange = UNIT,
): Scorer {
  return {
    name,
    greaterIsBetter: true,
    needs: ScorerNeeds.Pred,
    task: ScorerTask.Classification,
    range,
    score: (i) => score(i.yTrue, predOf(name, i)),
  };
}

function averaged(prefix: string, fn: typeof f1Score, average: AverageName): Scorer {
  const name = average === 'binary' ? prefix : `${prefix}_${average}`;
  return pred(name, (t, p) => fn(t, p, { average }));
}

function rocAuc(name: string, multiClass: 'ovr' | 'ovo' | undefined, average: 'macro' | 'weighted'): Scorer {
  return {
    name,
    greaterIsBetter: true,
    needs: ScorerNeeds.Proba,
    task: ScorerTask.Classification,
    range: UNIT,
    score: (input) => {
      const proba = probaOf(name, input);
      const column = binaryColumn(input, proba);
      if (column !== null) return rocAucScore(input.yTrue, column);
      if (multiClass === undefined)
        throw new Error(
          `yTrue: scorer '${name}' is binary; use roc_auc_ovr or roc_auc_ovo for multi-class targets`,
        );
      return rocAucScore(input.yTrue, proba, { multiClass, average, ...labelsOption(input) });
    },
  };
}

function logLossScorer(name: string, sign: 1 | -1): Scorer {
  return {
    name,
    greaterIsBetter: sign === -1,
    needs: ScorerNeeds.Proba,
    task: ScorerTask.Classification,
    range: sign === 1 ? LOSS : NEG_LOSS,
    score: (input) => sign * logLoss(input.yTrue, probaOf(name, input), labelsOption(input)),
  };
}

function regression(
  name: string,
  fn: (t: ArrayLike<number>, p: ArrayLike<number>) => number,
  sign: 1 | -1,
  greaterIsBetter: boolean,
  range: ScoreRange = sign === 1 ? LOSS : NEG_LOSS,
): Scorer {
  return {
    name,
    greaterIsBetter,
    needs: ScorerNeeds.Pred,
    task: ScorerTask.Regression,
    range,
    score: (input) => sign * fn(numeric(name, 'yTrue', input.yTrue), numeric(name, 'yPred', input.yPred)),
  };
}

const registry: readonly Scorer[] = [
  pred('accuracy', (t, p) => accuracyScore(t, p)),
  pred('balanced_accuracy', (t, p) => balancedAccuracyScore(t, p)),
  ...(['binary', 'macro', 'micro', 'weighted'] as const).flatMap((a) => [
    averaged('f1', f1Score, a),
    averaged('precision', precisionScore, a),
    averaged('recall', recallScore, a),
  ]),
  pred('matthews_corrcoef', (t, p) => matthewsCorrcoef(t, p), SIGNED_UNIT),
  pred('cohen_kappa', (t, p) => cohenKappaScore(t, p), SIGNED_UNIT),
  rocAuc('roc_auc', undefined, 'macro'),
  rocAuc('roc_auc_ovr', 'ovr', 'macro'),
  rocAuc('roc_auc_ovo', 'ovo', 'macro'),
  rocAuc('roc_auc_ovr_weighted', 'ovr', 'weighted'),
  rocAuc('roc_auc_ovo_weighted', 'ovo', 'weighted'),
  {
    name: 'average_precision',
    greaterIsBetter: true,
    needs: ScorerNeeds.Proba,
    task: ScorerTask.Classification,
    range: UNIT,
    score: (input) => {
      const column = binaryColumn(input, probaOf('average_precision', input));
      if (column === null)
        throw new Error("yTrue: scorer 'average_precision' needs binary targets and two probability columns");
      return averagePrecisionScore(input.yTrue, column);
    },
  },
  logLossScorer('neg_log_loss', -1),
  logLossScorer('log_loss', 1),
  regression('r2', r2Score, 1, true, { low: -Infinity, high: 1 }),
  regression('neg_mean_squared_error', meanSquaredError, -1, true),
  regression('neg_root_mean_squared_error', rootMeanSquaredError, -1, true),
  regression('neg_mean_absolute_error', meanAbsoluteError, -1, true),
  regression('mean_squared_error', meanSquaredError, 1, false),
  regression('root_mean_squared_error', rootMeanSquaredError, 1, false),
  regression('mean_absolute_error', meanAbsoluteError, 1, false),
];

const byName = new Map(registry.map((s) => [s.name, s]));

/** Every registered scorer name, sorted. */
export const scorerNames: readonly string[] = [...byName.keys()].sort();

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Names closest to `name`: small edit distance or sharing a substring, best first. */
export function closeScorerNames(name: string, max = 3): string[] {
  const lower = name.toLowerCase();
  return scorerNames
    .map((n) => ({ n, d: editDistance(lower, n) - (n.includes(lower) || lower.includes(n) ? 2 : 0) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(lower.length / 3)))
    .sort((a, b) => a.d - b.d || (a.n < b.n ? -1 : 1))
    .slice(0, max)
    .map(({ n }) => n);
}

/** The scorer registered under `name`; throws naming the unknown metric and close names. */
export function getScorer(name: string): Scorer {
  const scorer = byName.get(name);
  if (scorer !== undefined) return scorer;
  const close = closeScorerNames(name);
  const hint =
    close.length > 0
      ? `did you mean ${close.map((n) => `'${n}'`).join(', ')}?`
      : `known metrics: ${scorerNames.join(', ')}`;
  throw new Error(`metric: unknown scorer '${name}'; ${hint}`);
}

/**
 * Cost metrics a fold records besides its scores, when a search asks for them (as an objective, a constraint or a
 * reported metric): prediction latency in milliseconds per 1,000 validation rows, the model's trainable parameters, and
 * training wall time in seconds. Smaller is better for all three.
 */
export const CostMetric = {
  PredictMsPer1k: 'predict_ms_per_1k',
  ParamCount: 'param_count',
  TrainSeconds: 'train_seconds',
} as const;
/** One of the values of {@link CostMetric}. */
export type CostMetric = (typeof CostMetric)[keyof typeof CostMetric];

/** Whether `name` is one of the {@link CostMetric} names. */
export function isCostMetric(name: string): name is CostMetric {
  return (Object.values(CostMetric) as string[]).includes(name);
}

/** Direction and range of a scorer or cost metric, or undefined for an unknown name. */
export function metricInfo(name: string): { greaterIsBetter: boolean; range: ScoreRange } | undefined {
  if (isCostMetric(name)) return { greaterIsBetter: false, range: LOSS };
  const s = byName.get(name);
  return s ? { greaterIsBetter: s.greaterIsBetter, range: s.range } : undefined;
}

/** The range of the scorer or cost metric registered under `name`, or undefined for an unknown name. */
export function scorerRange(name: string): ScoreRange | undefined {
  return metricInfo(name)?.range;
}

/** Scores `input` with each named scorer. */
export function scoreAll(names: readonly string[], input: ScorerInput): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) out[name] = getScorer(name).score(input);
  return out;
}
