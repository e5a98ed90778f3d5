/** Turning fold assignments into sorted index arrays, and hashing a finished plan. */
import { StableHasher, canonicalJson } from '../hash';
import type { Fold, SplitKind, SplitPlan } from './types';

const NO_REPEAT = 0xffffffff;

/** Builds k folds from `assignment[i]` = the test fold of sample i; train is the complement. */
export function foldsFromAssignment(assignment: Uint32Array, k: number, repeat?: number): Fold[] {
  const n = assignment.length;
  const sizes = new Uint32Array(k);
  for (let i = 0; i < n; i++) {
    const a = assignment[i] as number;
    sizes[a] = (sizes[a] as number) + 1;
  }
  const tests: Uint32Array[] = [];
  const trains: Uint32Array[] = [];
  for (let f = 0; f < k; f++) {
    tests.push(new Uint32Array(sizes[f] as number));
    trains.push(new Uint32Array(n - (sizes[f] as number)));
  }
  for (let f = 0; f < k; f++) {
    const test = tests[f] as Uint32Array;
    const train = trains[f] as Uint32Array;
    let t = 0;
    let r = 0;
    for (let i = 0; i < n; i++) {
      if (assignment[i] === f) test[t++] = i;
      else train[r++] = i;
    }
  }
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const fold: Fold = { train: trains[f] as Uint32Array, test: tests[f] as Uint32Array, fold: f };
    if (repeat !== undefined) fold.repeat = repeat;
    folds.push(fold);
  }
  return folds;
}

/** The indices where `mask` equals `value`, ascending. */
export function indicesWhere(mask: Uint8Array, value: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  let p = 0;
  for (let i = 0; i < mask.length && p < count; i++) if (mask[i] === value) out[p++] = i;
  return out;
}

function hashMembership(h: StableHasher, fold: Fold, nSamples: number, marks: Uint8Array): void {
  marks.fill(0);
  const outside: number[] = [];
  for (const x of fold.train) {
    if (x < nSamples) marks[x] = (marks[x] as number) | 1;
    else outside.push(x);
  }
  for (const x of fold.test) {
    if (x < nSamples) marks[x] = (marks[x] as number) | 2;
    else outside.push(x);
  }
  h.uint32(fold.train.length).uint32(fold.test.length);
  for (let base = 0; base < nSamples; base += 16) {
    let word = 0;
    const end = Math.min(base + 16, nSamples);
    for (let i = base; i < end; i++) word |= (marks[i] as number) << ((i - base) * 2);
    h.uint32(word);
  }
  h.uint32(outside.length);
  for (const x of outside) h.uint32(x);
}

/**
 * The stable hash of (kind, options, n, every fold's repeat, number and indices). Each fold enters as
 * its train and test sizes plus a 2-bit-per-sample membership map (in train, in test), which identifies
 * it exactly because plan indices are unique and sorted; indices ≥ n, which no valid plan has, are hashed
 * one by one. Hashing n/16 words per fold instead of n keeps hashing a small share of split time.
 */
export function hashPlan(
  kind: SplitKind,
  options: unknown,
  nSamples: number,
  folds: readonly Fold[],
): string {
  const h = new StableHasher()
    .string(kind)
    .string(canonicalJson(options))
    .uint32(nSamples)
    .uint32(folds.length);
  const marks = new Uint8Array(nSamples);
  for (const fold of folds) {
    h.uint32(fold.repeat ?? NO_REPEAT).uint32(fold.fold);
    hashMembership(h, fold, nSamples, marks);
  }
  return h.hex();
}

/** Assembles a plan and its hash. */
export function makePlan(kind: SplitKind, options: unknown, nSamples: number, folds: Fold[]): SplitPlan {
  return { kind, folds, nSamples, hash: hashPlan(kind, options, nSamples, folds) };
}
