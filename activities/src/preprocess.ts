import { fitPreprocessor } from '@foldwise/datasets';
import type { LoadedDataset } from './ports';

type Scale = 'standard' | 'minmax' | 'none' | 'image';

/** Gathers targets of the given rows. */
export function gatherLabels(y: Float64Array, idx: Uint32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = y[idx[i] as number] as number;
  return out;
}

/** Fits preprocessing on the training rows only and applies it to train, validation and an optional extra matrix. */
export function preprocessFold(
  ds: LoadedDataset,
  train: Uint32Array,
  val: Uint32Array,
  spec: { scale: Scale } | undefined,
  extra?: Float32Array,
): { xTrain: Float32Array; xVal: Float32Array; xExtra?: Float32Array } {
  const scale: Scale = spec?.scale ?? (ds.imageShape ? 'image' : 'standard');
  const prep = fitPreprocessor(
    scale === 'image' && ds.imageMax !== undefined ? { scale, max: ds.imageMax } : { scale },
    ds.X,
    ds.nFeatures,
    train,
  );
  const xTrain = prep.transform(ds.X, train);
  const xVal = prep.transform(ds.X, val);
  if (!extra) return { xTrain, xVal };
  const all = Uint32Array.from({ length: extra.length / ds.nFeatures }, (_, i) => i);
  return { xTrain, xVal, xExtra: prep.transform(extra, all) };
}
