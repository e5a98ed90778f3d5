// Reads the scikit-learn fixtures written by test/reference/metrics/generate.py (tests only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const DIR = join(__dirname, '..', '..', '..', 'test', 'reference', 'metrics');
const SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** One recorded call: foldwise function name, positional arguments, options and scikit-learn's value. */
export interface ReferenceCase {
  name: string;
  fn: string;
  args: unknown[];
  options: Record<string, unknown>;
  expected: unknown;
  flat32?: boolean;
  argument?: string;
  sklearn?: string;
}

/** Loads the cases of one fixture file, turning "NaN"/"Infinity"/"-Infinity" back into numbers. */
export function loadCases(file: string): ReferenceCase[] {
  const text = readFileSync(join(DIR, file), 'utf8');
  const parsed = JSON.parse(text, (_k, v: unknown) =>
    typeof v === 'string' && v in SPECIAL ? SPECIAL[v] : v,
  ) as {
    cases: ReferenceCase[];
  };
  return parsed.cases;
}

/** Tolerance of every comparison against scikit-learn: 1e-9 absolute below 1, relative above. */
export const TOLERANCE = 1e-9;

/** Asserts that `actual` matches `expected` (numbers, nested arrays, or objects of them) within `TOLERANCE`. */
export function assertClose(actual: unknown, expected: unknown, where: string): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${where}: expected a number, got ${JSON.stringify(actual)}`);
    const a = actual as number;
    if (Number.isNaN(expected)) return assert.ok(Number.isNaN(a), `${where}: expected NaN, got ${a}`);
    if (!Number.isFinite(expected)) return assert.equal(a, expected, where);
    const err = Math.abs(a - expected);
    assert.ok(
      err <= TOLERANCE * Math.max(1, Math.abs(expected)),
      `${where}: expected ${expected}, got ${a} (error ${err})`,
    );
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${where}: length`);
    expected.forEach((e, i) => assertClose(actual[i], e, `${where}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    for (const [k, e] of Object.entries(expected))
      assertClose((actual as Record<string, unknown>)[k], e, `${where}.${k}`);
    return;
  }
  assert.equal(actual, expected, where);
}
