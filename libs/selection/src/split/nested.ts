/** Nested cross-validation: an inner scheme run inside every outer training set. */
import { StableHasher } from '../hash';
import { deriveSeed } from '../prng';
import { checkCvSpec, makeSplits } from './make-splits';
import { makePlan } from './plan';
import {
  SplitKind,
  type CvSpec,
  type Fold,
  type Label,
  type Labels,
  type NestedCvSpec,
  type NestedSplitPlan,
  type SplitData,
} from './types';
import { checkLength } from './validate';

/** Options of `nestedCv`: the two schemes, and group labels when either scheme needs them. */
export interface NestedCvOptions extends NestedCvSpec {
  /** Group labels, one per sample (group schemes). */
  groups?: Labels;
}

function pick(labels: Labels, at: Uint32Array): Label[] {
  const out = new Array<Label>(at.length);
  for (let i = 0; i < at.length; i++) out[i] = labels[at[i] as number] as Label;
  return out;
}

function innerSpecFor(inner: CvSpec, outerFold: number): CvSpec {
  return 'seed' in inner && inner.seed !== undefined
    ? { ...inner, seed: deriveSeed(inner.seed, 'outer', outerFold) }
    : inner;
}

function toOriginal(local: Uint32Array, outerTrain: Uint32Array): Uint32Array {
  const out = new Uint32Array(local.length);
  for (let i = 0; i < local.length; i++) out[i] = outerTrain[local[i] as number] as number;
  return out;
}

/**
 * Nested cross-validation over `n` samples or labels `y`. The outer plan splits all samples; for outer
 * fold i the inner scheme splits that fold's training set (with its labels and groups), with any inner
 * seed replaced by `deriveSeed(seed, 'outer', i)` so inner shuffles differ between outer folds. Inner
 * folds are returned as original sample indices, so `inner[i]` folds are subsets of `outer.folds[i].train`
 * and never touch `outer.folds[i].test`.
 *
 * @example
 * const plan = nestedCv(y, { outer: { kind: 'stratified', k: 5 }, inner: { kind: 'stratified', k: 3 } });
 * plan.inner[0].folds[0].train; // original indices, all inside plan.outer.folds[0].train
 */
export function nestedCv(yOrN: number | Labels, options: NestedCvOptions): NestedSplitPlan {
  checkCvSpec(options.outer, 'outer');
  checkCvSpec(options.inner, 'inner');
  const y = typeof yOrN === 'number' ? undefined : yOrN;
  const n = typeof yOrN === 'number' ? yOrN : yOrN.length;
  const outerData: SplitData = { n };
  if (y !== undefined) outerData.y = y;
  if (options.groups !== undefined) {
    checkLength(options.groups, n, 'groups');
    outerData.groups = options.groups;
  }
  const outer = makeSplits(options.outer, outerData);
  const inner = outer.folds.map((outerFold, i) => {
    const innerData: SplitData = { n: outerFold.train.length };
    if (y !== undefined) innerData.y = pick(y, outerFold.train);
    if (options.groups !== undefined) innerData.groups = pick(options.groups, outerFold.train);
    const spec = innerSpecFor(options.inner, i);
    const local = makeSplits(spec, innerData);
    const folds = local.folds.map((f): Fold => {
      const fold: Fold = {
        train: toOriginal(f.train, outerFold.train),
        test: toOriginal(f.test, outerFold.train),
        fold: f.fold,
      };
      if (f.repeat !== undefined) fold.repeat = f.repeat;
      return fold;
    });
    return makePlan(local.kind, { inner: spec, outerFold: i }, n, folds);
  });
  const h = new StableHasher().string(SplitKind.Nested).uint32(n).string(outer.hash);
  for (const plan of inner) h.string(plan.hash);
  return { kind: SplitKind.Nested, outer, inner, nSamples: n, hash: h.hex() };
}
