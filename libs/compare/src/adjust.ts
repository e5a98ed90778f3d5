// Multiple-comparison corrections of p-values.
import { checkLevel } from './validate';

/** Adjusted p-values and the hypotheses rejected at `alpha`. */
export interface Adjusted {
  adjusted: number[];
  reject: boolean[];
}

function checkPValues(pValues: readonly number[]): void {
  if (!Array.isArray(pValues)) throw new Error('pValues: must be an array of numbers');
  pValues.forEach((p, i) => {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      throw new Error(`pValues[${i}]: must be in [0, 1] (got ${String(p)})`);
  });
}

/** Holm–Bonferroni step-down adjustment: sorted p_(i)·(m − i), made monotone by a running maximum, capped at 1. */
export function holm(pValues: number[], alpha = 0.05): Adjusted {
  checkPValues(pValues);
  checkLevel(alpha, 'alpha');
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => (pValues[i] ?? 0) - (pValues[j] ?? 0) || i - j);
  const adjusted = new Array<number>(m).fill(0);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (pValues[index] ?? 1) * (m - rank)));
    adjusted[index] = running;
  });
  return { adjusted, reject: adjusted.map((p) => p <= alpha) };
}

/** Bonferroni adjustment: p·m capped at 1. */
export function bonferroni(pValues: number[], alpha = 0.05): Adjusted {
  checkPValues(pValues);
  checkLevel(alpha, 'alpha');
  const adjusted = pValues.map((p) => Math.min(1, p * pValues.length));
  return { adjusted, reject: adjusted.map((p) => p <= alpha) };
}
