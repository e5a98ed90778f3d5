// Argument checks shared by the tests; every error names the argument and the problem.
import { Alternative } from './types';

/** Throws unless `values` is an array of at least `min` finite numbers. */
export function checkScores(values: readonly number[], name: string, min = 2): void {
  if (!Array.isArray(values)) throw new Error(`${name}: must be an array of numbers`);
  if (values.length < min) throw new Error(`${name}: needs at least ${min} values (got ${values.length})`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new Error(`${name}[${i}]: must be a finite number (got ${String(v)})`);
  }
}

/** Checks paired samples and returns their differences a[i] − b[i]. */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  if (!Array.isArray(a)) throw new Error('a: must be an array of numbers');
  if (!Array.isArray(b)) throw new Error('b: must be an array of numbers');
  if (a.length !== b.length)
    throw new Error(`b: must have the same length as a (got ${b.length} and ${a.length})`);
  checkScores(a, 'a');
  checkScores(b, 'b');
  return a.map((x, i) => x - (b[i] ?? NaN));
}

/** Throws unless `alternative` is one of the {@link Alternative} values. */
export function checkAlternative(alternative: string): Alternative {
  const allowed: readonly string[] = Object.values(Alternative);
  if (!allowed.includes(alternative)) {
    throw new Error(`alternative: must be one of ${allowed.join(', ')} (got ${alternative})`);
  }
  return alternative as Alternative;
}

/** Throws unless `ratio` is a finite number > 0. */
export function checkTestTrainRatio(ratio: number): void {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio <= 0) {
    throw new Error(`testTrainRatio: must be a finite number > 0 (got ${String(ratio)})`);
  }
}

/** Throws unless `level` lies strictly between 0 and 1. */
export function checkLevel(level: number, name = 'level'): void {
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new Error(`${name}: must be strictly between 0 and 1 (got ${String(level)})`);
  }
}

/** Arithmetic mean. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample variance (n − 1 denominator), two-pass. */
export function sampleVariance(values: readonly number[], m: number = mean(values)): number {
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return ss / (values.length - 1);
}

/** Converts a t statistic to a p-value for the given alternative, as SciPy's _ttest_finish does. */
export function tPValue(
  t: number,
  df: number,
  alternative: Alternative,
  sf: (x: number, df: number) => number,
): number {
  if (alternative === Alternative.Greater) return sf(t, df);
  if (alternative === Alternative.Less) return sf(-t, df);
  return Math.min(1, 2 * sf(Math.abs(t), df));
}
