/** One entry point from a JSON cv spec to a split plan. */
import { groupKFold, stratifiedGroupKFold } from './group';
import { kFold, repeatedKFold } from './kfold';
import { shuffleSplit, trainTestSplit } from './shuffle';
import { repeatedStratifiedKFold, stratifiedKFold } from './stratified';
import { timeSeriesSplit } from './time-series';
import { SplitKind, type CvSpec, type Labels, type SplitData, type SplitPlan } from './types';
import { checkLength, checkSampleCount } from './validate';

const OPTION_KEYS: Record<CvSpec['kind'], readonly string[]> = {
  [SplitKind.KFold]: ['k', 'shuffle', 'seed'],
  [SplitKind.Stratified]: ['k', 'shuffle', 'seed'],
  [SplitKind.RepeatedKFold]: ['k', 'repeats', 'seed'],
  [SplitKind.RepeatedStratified]: ['k', 'repeats', 'seed'],
  [SplitKind.Group]: ['k'],
  [SplitKind.StratifiedGroup]: ['k', 'shuffle', 'seed'],
  [SplitKind.TimeSeries]: ['nSplits', 'gap', 'maxTrainSize', 'testSize'],
  [SplitKind.ShuffleSplit]: ['nSplits', 'testSize', 'trainSize', 'seed'],
  [SplitKind.Holdout]: ['testSize', 'stratify', 'seed', 'shuffle'],
};

/** Throws unless `cv` is a known cv spec kind carrying only that kind's options. */
export function checkCvSpec(cv: CvSpec, field = 'cv'): void {
  if (typeof cv !== 'object' || cv === null)
    throw new Error(`${field}: must be an object with a kind (got ${String(cv)})`);
  const allowed = Object.prototype.hasOwnProperty.call(OPTION_KEYS, cv.kind)
    ? OPTION_KEYS[cv.kind]
    : undefined;
  if (allowed === undefined) {
    throw new Error(
      `${field}.kind: unknown cv kind ${JSON.stringify(cv.kind)} (expected one of ${Object.keys(OPTION_KEYS).join(', ')})`,
    );
  }
  for (const key of Object.keys(cv)) {
    if (key !== 'kind' && !allowed.includes(key)) {
      throw new Error(
        `${field}.${key}: not an option of cv kind '${cv.kind}' (expected ${allowed.join(', ')})`,
      );
    }
  }
}

function need(labels: Labels | undefined, field: 'y' | 'groups', kind: string, n: number): Labels {
  if (labels === undefined) throw new Error(`${field}: required for cv kind '${kind}'`);
  checkLength(labels, n, field);
  return labels;
}

/**
 * Resolves a cv spec against the data: the one way workflows and activities rebuild the same folds.
 *
 * @example
 * const y = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
 * const spec: CvSpec = { kind: 'stratified', k: 5, shuffle: true, seed: 42 };
 * const plan = makeSplits(spec, { n: y.length, y });
 * makeSplits(JSON.parse(JSON.stringify(spec)), { n: y.length, y }).hash === plan.hash; // true
 */
export function makeSplits(cv: CvSpec, data: SplitData): SplitPlan {
  checkCvSpec(cv);
  const { n } = data;
  checkSampleCount(n);
  if (data.y !== undefined) checkLength(data.y, n, 'y');
  if (data.groups !== undefined) checkLength(data.groups, n, 'groups');
  switch (cv.kind) {
    case SplitKind.KFold: {
      const { kind: _kind, ...options } = cv;
      return kFold(n, options);
    }
    case SplitKind.Stratified: {
      const { kind, ...options } = cv;
      return stratifiedKFold(need(data.y, 'y', kind, n), options);
    }
    case SplitKind.RepeatedKFold: {
      const { kind: _kind, ...options } = cv;
      return repeatedKFold(n, options);
    }
    case SplitKind.RepeatedStratified: {
      const { kind, ...options } = cv;
      return repeatedStratifiedKFold(need(data.y, 'y', kind, n), options);
    }
    case SplitKind.Group: {
      const { kind, ...options } = cv;
      return groupKFold(need(data.groups, 'groups', kind, n), options);
    }
    case SplitKind.StratifiedGroup: {
      const { kind, ...options } = cv;
      return stratifiedGroupKFold(need(data.y, 'y', kind, n), need(data.groups, 'groups', kind, n), options);
    }
    case SplitKind.TimeSeries: {
      const { kind: _kind, ...options } = cv;
      return timeSeriesSplit(n, options);
    }
    case SplitKind.ShuffleSplit: {
      const { kind: _kind, ...options } = cv;
      return shuffleSplit(n, options);
    }
    case SplitKind.Holdout: {
      const { kind, stratify, ...options } = cv;
      if (stratify !== undefined && typeof stratify !== 'boolean')
        throw new Error(`cv.stratify: must be a boolean (got ${String(stratify)})`);
      return trainTestSplit(
        n,
        stratify === true ? { ...options, stratify: need(data.y, 'y', kind, n) } : options,
      );
    }
  }
}
