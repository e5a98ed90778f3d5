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

/** The stable hash of (kind, options, n, every fold's repeat, number, train and test indices). */
export function hashPlan(kind: SplitKind, options: unknown, nSamples: number, folds: readonly Fold[]): string {
  const h = new StableHasher().string(kind).string(canonicalJson(options)).uint32(nSamples).uint32(folds.length);
  for (const fold of folds) {
    h.uint32(fold.repeat ?? NO_REPEAT).uint32(fold.fold).indices(fold.train).indices(fold.test);
  }
  return h.hex();
}

/** Assembles a plan and its hash. */
export function makePlan(kind: SplitKind, options: unknown, nSamples: number, folds: Fold[]): SplitPlan {
  return { kind, folds, nSamples, hash: hashPlan(kind, options, nSamples, folds) };
}
