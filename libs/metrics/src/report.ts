import { type ZeroDivision, precisionRecallFscoreSupport } from './classification';
import { type Label, type Labels, checkNonEmpty, encodeLabels } from './labels';

/** Precision, recall, F1 and support of one label or one average. */
export interface ReportRow {
  precision: number;
  recall: number;
  f1Score: number;
  support: number;
}

/** A classification report: per-label rows, the averages, and sklearn's text rendering. */
export interface ClassificationReport {
  labels: Label[];
  targetNames: string[];
  perClass: ReportRow[];
  accuracy: number | null;
  microAvg: ReportRow | null;
  macroAvg: ReportRow;
  weightedAvg: ReportRow;
  text: string;
}

/** Options of `classificationReport`. */
export interface ClassificationReportOptions {
  labels?: readonly Label[];
  targetNames?: readonly string[];
  sampleWeight?: ArrayLike<number>;
  digits?: number;
  zeroDivision?: ZeroDivision;
}

function incrementDecimal(digits: string): string {
  const chars = digits.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = chars[i] as string;
    if (c === '.') continue;
    if (c === '9') {
      chars[i] = '0';
      continue;
    }
    chars[i] = String(Number(c) + 1);
    return chars.join('');
  }
  return `1${chars.join('')}`;
}

/** Formats `x` with `digits` decimals as Python's `format(x, '.Nf')` does (exact value, ties to even). */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  const negative = x < 0 || Object.is(x, -0);
  const full = Math.abs(x).toFixed(100);
  const point = full.indexOf('.');
  const kept = full.slice(0, digits === 0 ? point : point + 1 + digits);
  const rest = full.slice(point + 1 + digits);
  const first = rest.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(rest.slice(1));
  const lastKept = kept.charCodeAt(kept.length - 1) - 48;
  const up = first > 5 || (first === 5 && (tail || lastKept % 2 === 1));
  const body = up ? incrementDecimal(kept) : kept;
  return negative ? `-${body}` : body;
}

function formatSupport(s: number, weighted: boolean): string {
  if (!weighted) return String(s);
  return Number.isInteger(s) ? `${s}.0` : String(s);
}

/** Per-label precision, recall, F1 and support with micro/accuracy, macro and weighted averages, like scikit-learn's `classification_report`. */
export function classificationReport(
  yTrue: Labels,
  yPred: Labels,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const { digits = 2, zeroDivision = 'warn', sampleWeight } = options;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20)
    throw new Error(`digits: must be an integer in [0, 20] (got ${digits})`);
  checkNonEmpty('yTrue', yTrue);
  const present = encodeLabels(['yTrue', 'yPred'], [yTrue, yPred]).classes;
  const labels = options.labels === undefined ? present : [...options.labels];
  const presentSet = new Set<Label>(present);
  const microIsAccuracy =
    options.labels === undefined ||
    (new Set(labels).size === presentSet.size && labels.every((l) => presentSet.has(l)));
  if (
    options.targetNames !== undefined &&
    options.targetNames.length !== labels.length &&
    options.labels === undefined
  ) {
    throw new Error(
      `targetNames: number of classes, ${labels.length}, does not match size of targetNames, ${options.targetNames.length}; try specifying labels`,
    );
  }
  const targetNames = options.targetNames === undefined ? labels.map(String) : [...options.targetNames];
  const common = { labels, zeroDivision, ...(sampleWeight === undefined ? {} : { sampleWeight }) };
  const per = precisionRecallFscoreSupport(yTrue, yPred, { ...common, average: null });
  if (per.support === null) throw new Error('classificationReport: per-label scores missing');
  const support = per.support.reduce((a, b) => a + b, 0);
  const perClass = per.support.map((s, i) => ({
    precision: per.precision[i] as number,
    recall: per.recall[i] as number,
    f1Score: per.fScore[i] as number,
    support: s,
  }));
  const averaged = (average: 'micro' | 'macro' | 'weighted'): ReportRow => {
    const r = precisionRecallFscoreSupport(yTrue, yPred, { ...common, average });
    return {
      precision: r.precision as number,
      recall: r.recall as number,
      f1Score: r.fScore as number,
      support,
    };
  };
  const micro = averaged('micro');
  const macroAvg = averaged('macro');
  const weightedAvg = averaged('weighted');

  const weighted = sampleWeight !== undefined;
  const heading = 'weighted avg';
  const width = Math.max(...targetNames.map((n) => n.length), heading.length, digits);
  const num = (x: number): string => formatFixed(x, digits).padStart(9);
  const line = (name: string, r: ReportRow): string =>
    `${name.padStart(width)}  ${num(r.precision)} ${num(r.recall)} ${num(r.f1Score)} ${formatSupport(r.support, weighted).padStart(9)}\n`;
  let text = `${''.padStart(width)} ${['precision', 'recall', 'f1-score', 'support'].map((h) => ` ${h.padStart(9)}`).join('')}\n\n`;
  perClass.forEach((r, i) => (text += line(targetNames[i] ?? String(labels[i]), r)));
  text += '\n';
  if (microIsAccuracy) {
    text += `${'accuracy'.padStart(width)}  ${''.padStart(9)} ${''.padStart(9)} ${num(micro.f1Score)} ${formatSupport(support, weighted).padStart(9)}\n`;
  } else {
    text += line('micro avg', micro);
  }
  text += line('macro avg', macroAvg);
  text += line(heading, weightedAvg);
  return {
    labels,
    targetNames,
    perClass,
    accuracy: microIsAccuracy ? micro.precision : null,
    microAvg: microIsAccuracy ? null : micro,
    macroAvg,
    weightedAvg,
    text,
  };
}
