/** Argument checks and label encoding shared by the splitters; every error names its argument. */
import type { Label, Labels } from './types';

const MAX_SAMPLES = 0xffffffff;

/** Throws unless `n` is a whole number of samples (0 ≤ n < 2^32). */
export function checkSampleCount(n: number, field = 'n'): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_SAMPLES) {
    throw new Error(`${field}: must be a non-negative integer number of samples (got ${String(n)})`);
  }
}

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(value: number, field: string, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${field}: must be an integer ≥ ${min} (got ${String(value)})`);
  }
}

/** Throws unless `k` is a fold count in [2, n]. */
export function checkFoldCount(k: number, n: number, field = 'k'): void {
  checkInteger(k, field, 2);
  if (k > n) {
    throw new Error(
      `${field}: ${k} folds need at least ${k} samples (got ${n}); lower ${field} to at most ${n} or add samples`,
    );
  }
}

/** Resolves `(shuffle, seed)`: a seed is required to shuffle and meaningless without shuffling. */
export function checkShuffleSeed(shuffle: boolean | undefined, seed: number | undefined): number | undefined {
  if (shuffle !== undefined && typeof shuffle !== 'boolean') {
    throw new Error(`shuffle: must be a boolean (got ${String(shuffle)})`);
  }
  if (shuffle === true) {
    if (seed === undefined) throw new Error('seed: required when shuffle is true');
    checkSeed(seed);
    return seed;
  }
  if (seed !== undefined) {
    throw new Error(
      `seed: has no effect unless shuffle is true (got seed ${String(seed)}); set shuffle: true or drop seed`,
    );
  }
  return undefined;
}

/** Throws unless `seed` is a finite number. */
export function checkSeed(seed: number, field = 'seed'): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new Error(`${field}: must be a finite number (got ${String(seed)})`);
  }
}

/** Throws unless `labels` has exactly `n` entries. */
export function checkLength(labels: Labels, n: number, field: string): void {
  if (labels.length !== n) {
    throw new Error(`${field}: has ${labels.length} entries but there are ${n} samples`);
  }
}

/** Labels encoded as small integers, with the distinct values sorted as numpy's `np.unique` sorts them. */
export interface EncodedLabels {
  /** Distinct labels in ascending order (numbers numerically, strings by code unit). */
  sorted: Label[];
  /** `rank[i]`: the position of sample i's label in `sorted`. */
  rank: Uint32Array;
  /** `counts[c]`: how many samples carry `sorted[c]`. */
  counts: Uint32Array;
  /** `firstSeen[c]`: the position of `sorted[c]` in order of first appearance. */
  firstSeen: Uint32Array;
}

/** Encodes a label array; throws on mixed numbers and strings, non-finite numbers or other values. */
export function encodeLabels(labels: Labels, field: string): EncodedLabels {
  const n = labels.length;
  const codeOf = new Map<Label, number>();
  const appearance = new Uint32Array(n);
  const seen: Label[] = [];
  let kind: 'number' | 'string' | undefined;
  for (let i = 0; i < n; i++) {
    const label = labels[i] as Label;
    let code = codeOf.get(label);
    if (code === undefined) {
      const t = typeof label;
      if (t !== 'number' && t !== 'string')
        throw new Error(`${field}[${i}]: labels must be numbers or strings (got ${t})`);
      if (t === 'number' && !Number.isFinite(label))
        throw new Error(`${field}[${i}]: labels must be finite (got ${String(label)})`);
      if (kind !== undefined && kind !== t) {
        throw new Error(
          `${field}[${i}]: labels mix numbers and strings (got ${JSON.stringify(label)} after ${kind}s); use one type`,
        );
      }
      kind = t as 'number' | 'string';
      code = seen.length;
      codeOf.set(label, code);
      seen.push(label);
    }
    appearance[i] = code;
  }
  const order = seen.map((_, c) => c);
  if (kind === 'number') order.sort((a, b) => (seen[a] as number) - (seen[b] as number));
  else
    order.sort((a, b) =>
      (seen[a] as string) < (seen[b] as string) ? -1 : (seen[a] as string) > (seen[b] as string) ? 1 : 0,
    );
  const rankOfCode = new Uint32Array(seen.length);
  const firstSeen = new Uint32Array(seen.length);
  for (let r = 0; r < order.length; r++) {
    rankOfCode[order[r] as number] = r;
    firstSeen[r] = order[r] as number;
  }
  const rank = new Uint32Array(n);
  const counts = new Uint32Array(seen.length);
  for (let i = 0; i < n; i++) {
    const r = rankOfCode[appearance[i] as number] as number;
    rank[i] = r;
    counts[r] = (counts[r] as number) + 1;
  }
  return { sorted: order.map((c) => seen[c] as Label), rank, counts, firstSeen };
}

/** Formats a label for an error message. */
export function showLabel(label: Label): string {
  return typeof label === 'string' ? JSON.stringify(label) : String(label);
}

/** Throws when some class has fewer than `k` members, naming the class and its count. */
export function checkClassCounts(encoded: EncodedLabels, k: number, field: string): void {
  let worst = -1;
  for (let c = 0; c < encoded.counts.length; c++) {
    if (
      (encoded.counts[c] as number) < k &&
      (worst < 0 || (encoded.counts[c] as number) < (encoded.counts[worst] as number))
    )
      worst = c;
  }
  if (worst >= 0) {
    const count = encoded.counts[worst] as number;
    throw new Error(
      `${field}: class ${showLabel(encoded.sorted[worst] as Label)} has only ${count} member${count === 1 ? '' : 's'}, fewer than k=${k}; ` +
        (count >= 2 ? `lower k to at most ${count}` : 'remove or merge that class') +
        ' so every fold can hold each class',
    );
  }
}
