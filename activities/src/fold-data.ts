import type { CvSpec, PreprocessSpec } from '@foldwise/spec';
import { planFolds, type FoldIndices, type FoldPlan } from './plan';
import type { LoadedDataset } from './ports';
import { gatherLabels, preprocessFold } from './preprocess';

/** One fold's training and validation matrices, preprocessed (fitted on its training rows only). */
export interface FoldMatrices {
  xTrain: Float32Array;
  yTrain: Float64Array;
  xVal: Float32Array;
  yVal: Float64Array;
  /** The fold's sample indices in the dataset's own numbering. */
  indices: FoldIndices;
}

/** A per-process cache of preprocessed fold matrices, keyed by what determines them, bounded in bytes. */
export interface FoldDataCache {
  /**
   * The matrices of fold `fold` of the plan `(ds, cv, seed)` under `preprocess`, built once per process. They live in
   * shared memory, so a trainer thread reads them without a copy; callers must not write to them.
   */
  get(
    ds: LoadedDataset,
    cv: CvSpec,
    seed: number,
    fold: number,
    preprocess: PreprocessSpec | undefined,
  ): { plan: FoldPlan; matrices: FoldMatrices | undefined };
  /** Bytes held now. */
  bytes(): number;
}

const shared = <A extends Float32Array | Float64Array>(src: A): A => {
  const Ctor = src.constructor as { new (buffer: SharedArrayBuffer): A; BYTES_PER_ELEMENT: number };
  const out = new Ctor(new SharedArrayBuffer(src.length * Ctor.BYTES_PER_ELEMENT));
  out.set(src);
  return out;
};

const sizeOf = (m: FoldMatrices): number =>
  m.xTrain.byteLength + m.yTrain.byteLength + m.xVal.byteLength + m.yVal.byteLength;

/**
 * Creates a fold-matrix cache holding at most `maxBytes` (least recently used entries leave first; one entry larger than
 * the bound is built but not kept). `maxBytes` 0 turns caching off.
 */
export function createFoldDataCache(maxBytes: number): FoldDataCache {
  if (!(Number.isFinite(maxBytes) && maxBytes >= 0))
    throw new RangeError(`maxBytes must be a non-negative number (got ${maxBytes})`);
  const entries = new Map<string, FoldMatrices>();
  let held = 0;
  return {
    get(ds, cv, seed, fold, preprocess) {
      const plan = planFolds(ds, cv, seed);
      const indices = plan.folds[fold];
      if (!indices) return { plan, matrices: undefined };
      const key = `${plan.hash}|${fold}|${preprocess?.scale ?? 'default'}`;
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return { plan, matrices: hit };
      }
      const { xTrain, xVal } = preprocessFold(ds, indices.train, indices.test, preprocess);
      const built: FoldMatrices = {
        xTrain: shared(xTrain),
        yTrain: shared(gatherLabels(ds.y, indices.train)),
        xVal: shared(xVal),
        yVal: shared(gatherLabels(ds.y, indices.test)),
        indices,
      };
      const size = sizeOf(built);
      if (size <= maxBytes) {
        entries.set(key, built);
        held += size;
        for (const [k, m] of entries) {
          if (held <= maxBytes) break;
          entries.delete(k);
          held -= sizeOf(m);
        }
      }
      return { plan, matrices: built };
    },
    bytes: () => held,
  };
}
