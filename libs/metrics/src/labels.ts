/** A class label: a number or a string, as scikit-learn accepts. */
export type Label = number | string;

/** Any array-like of labels, typed arrays included. */
export type Labels = ArrayLike<Label>;

/** Labels encoded as dense codes into a sorted class list. */
export interface EncodedLabels {
  classes: Label[];
  codes: Int32Array[];
}

const SMALL_LABEL_LIMIT = 1 << 16;

/** Orders labels as numpy does: numbers numerically, strings by code unit. */
export function compareLabels(a: Label, b: Label): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Renders a label the way Python's repr would, for error messages. */
export function formatLabel(label: Label): string {
  return typeof label === 'string' ? `'${label}'` : String(label);
}

/** Renders a list of labels like Python's list repr, for error messages. */
export function formatLabels(labels: readonly Label[]): string {
  return `[${labels.map(formatLabel).join(', ')}]`;
}

/** Throws unless `y` is non-empty. */
export function checkNonEmpty(name: string, y: ArrayLike<unknown>): void {
  if (y.length === 0) throw new Error(`${name}: empty input; at least one sample is needed`);
}

/** Throws unless `other` has the same length as the reference array. */
export function checkSameLength(
  refName: string,
  ref: ArrayLike<unknown>,
  name: string,
  other: ArrayLike<unknown>,
): void {
  if (other.length !== ref.length) {
    throw new Error(`${name}: length ${other.length} does not match ${refName} length ${ref.length}`);
  }
}

/** Validates optional sample weights (finite, non-negative, same length) against `yTrue`. */
export function checkWeights(yTrue: ArrayLike<unknown>, sampleWeight: ArrayLike<number> | undefined): void {
  if (sampleWeight === undefined) return;
  checkSameLength('yTrue', yTrue, 'sampleWeight', sampleWeight);
  for (let i = 0; i < sampleWeight.length; i++) {
    const w = sampleWeight[i] as number;
    if (!Number.isFinite(w)) throw new Error(`sampleWeight[${i}]: must be a finite number (got ${w})`);
  }
}

/** The largest label when every label is an integer in [0, 2^16), else -1 (enables table lookups). */
export function smallIntMax(y: Labels): number {
  let max = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (typeof v !== 'number' || !(v >= 0 && v < SMALL_LABEL_LIMIT) || Math.floor(v) !== v) return -1;
    if (v > max) max = v;
  }
  return max;
}

/** Sorted distinct labels of small non-negative integer arrays, and each value's rank among them (-1 if absent). */
export function smallLabelRanks(
  arrays: readonly Labels[],
  max: number,
): { classes: number[]; rank: Int32Array } {
  const rank = new Int32Array(max + 1).fill(-1);
  for (const y of arrays) for (let i = 0; i < y.length; i++) rank[y[i] as number] = 0;
  const classes: number[] = [];
  for (let v = 0; v <= max; v++) if (rank[v] === 0) rank[v] = classes.push(v) - 1;
  return { classes, rank };
}

function encodeSmall(arrays: readonly Labels[], max: number): EncodedLabels {
  const { classes, rank } = smallLabelRanks(arrays, max);
  const codes = arrays.map((y) => {
    const out = new Int32Array(y.length);
    for (let i = 0; i < y.length; i++) out[i] = rank[y[i] as number] as number;
    return out;
  });
  return { classes, codes };
}

function encodeGeneric(names: readonly string[], arrays: readonly Labels[]): EncodedLabels {
  const index = new Map<Label, number>();
  const seen: Label[] = [];
  let kind: 'number' | 'string' | undefined;
  const codes = arrays.map((y, a) => {
    const out = new Int32Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const v = y[i] as Label;
      let code = index.get(v);
      if (code === undefined) {
        const t = typeof v;
        if (t === 'number') {
          if (Number.isNaN(v)) throw new Error(`${names[a]}[${i}]: label is NaN`);
        } else if (t !== 'string') {
          throw new Error(`${names[a]}[${i}]: label must be a number or a string (got ${t})`);
        }
        if (kind === undefined) kind = t as 'number' | 'string';
        else if (kind !== t) throw new Error(`${names[a]}: mix of label input types (string and number)`);
        code = seen.push(v) - 1;
        index.set(v, code);
      }
      out[i] = code;
    }
    return out;
  });
  const order = seen.map((_, i) => i).sort((x, y) => compareLabels(seen[x] as Label, seen[y] as Label));
  const rank = new Int32Array(seen.length);
  order.forEach((provisional, sorted) => (rank[provisional] = sorted));
  for (const out of codes) for (let i = 0; i < out.length; i++) out[i] = rank[out[i] as number] as number;
  return { classes: order.map((i) => seen[i] as Label), codes };
}

/** Encodes one or more label arrays against the sorted union of their labels. */
export function encodeLabels(names: readonly string[], arrays: readonly Labels[]): EncodedLabels {
  let max = 0;
  for (const y of arrays) {
    const m = smallIntMax(y);
    if (m < 0) return encodeGeneric(names, arrays);
    if (m > max) max = m;
  }
  return encodeSmall(arrays, max);
}

/** Maps each class (by code) to its position in `labels`, or -1 when absent. */
export function positionsIn(classes: readonly Label[], labels: readonly Label[]): Int32Array {
  const where = new Map<Label, number>();
  labels.forEach((l, i) => {
    if (!where.has(l)) where.set(l, i);
  });
  return Int32Array.from(classes, (c) => where.get(c) ?? -1);
}

/** Returns the sorted distinct labels of `labels`. */
export function uniqueSorted(labels: Labels): Label[] {
  return [...new Set(Array.from(labels))].sort(compareLabels);
}
