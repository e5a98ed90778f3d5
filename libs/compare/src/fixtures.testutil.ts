// Loads the SciPy reference fixtures written by test/reference/compare/generate.py (tests only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'reference', 'compare', 'fixtures');

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** Reads one fixture file, turning the strings "NaN", "Infinity" and "-Infinity" back into numbers. */
export function loadFixture<T>(name: string): T {
  const text = readFileSync(join(FIXTURES, name), 'utf8');
  return JSON.parse(text, (_key, value: unknown) =>
    typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value,
  ) as T;
}

/** Asserts |actual − expected| ≤ tol·|expected| (or both NaN, or equal infinities), with a message naming the case. */
export function assertRelClose(actual: number, expected: number, tol: number, what: string): void {
  if (Number.isNaN(expected)) {
    if (!Number.isNaN(actual)) throw new Error(`${what}: expected NaN, got ${actual}`);
    return;
  }
  if (!Number.isFinite(expected)) {
    if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual}`);
    return;
  }
  const err = Math.abs(actual - expected);
  if (!(err <= tol * Math.abs(expected)) && !(err === 0)) {
    throw new Error(
      `${what}: expected ${expected}, got ${actual} (relative error ${err / Math.abs(expected)})`,
    );
  }
}

/** Asserts |actual − expected| ≤ tol (or both NaN, or equal infinities), with a message naming the case. */
export function assertAbsClose(actual: number, expected: number, tol: number, what: string): void {
  if (Number.isNaN(expected)) {
    if (!Number.isNaN(actual)) throw new Error(`${what}: expected NaN, got ${actual}`);
    return;
  }
  if (!Number.isFinite(expected)) {
    if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual}`);
    return;
  }
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(
      `${what}: expected ${expected}, got ${actual} (absolute error ${Math.abs(actual - expected)})`,
    );
  }
}
