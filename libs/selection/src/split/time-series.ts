/** Forward-chaining splits for ordered samples: every training index precedes every test index. */
import { makePlan } from './plan';
import { SplitKind, type Fold, type SplitPlan, type TimeSeriesSplitOptions } from './types';
import { checkInteger, checkSampleCount } from './validate';

function range(from: number, to: number): Uint32Array {
  const out = new Uint32Array(Math.max(0, to - from));
  for (let i = 0; i < out.length; i++) out[i] = from + i;
  return out;
}

/**
 * Time-series splits, as scikit-learn's `TimeSeriesSplit`: `nSplits` consecutive test blocks of
 * `testSize` samples ending at the last sample; each training set is everything before its test block
 * minus `gap` samples, cut to the latest `maxTrainSize` samples when given.
 *
 * @example
 * const plan = timeSeriesSplit(12, { nSplits: 3, testSize: 2, gap: 2 });
 * plan.folds.map((f) => [Array.from(f.train), Array.from(f.test)]);
 * // [[[0, 1, 2, 3], [6, 7]], [[0, 1, 2, 3, 4, 5], [8, 9]], [[0, 1, 2, 3, 4, 5, 6, 7], [10, 11]]]
 */
export function timeSeriesSplit(n: number, options: TimeSeriesSplitOptions): SplitPlan {
  checkSampleCount(n);
  const { nSplits } = options;
  checkInteger(nSplits, 'nSplits', 2);
  const gap = options.gap ?? 0;
  checkInteger(gap, 'gap', 0);
  if (options.maxTrainSize !== undefined) checkInteger(options.maxTrainSize, 'maxTrainSize', 1);
  if (options.testSize !== undefined) checkInteger(options.testSize, 'testSize', 1);
  if (nSplits + 1 > n) {
    throw new Error(
      `nSplits: ${nSplits} splits need at least ${nSplits + 1} samples (got ${n}); lower nSplits to at most ${Math.max(n - 1, 0)}`,
    );
  }
  const testSize = options.testSize ?? Math.floor(n / (nSplits + 1));
  if (n - gap - testSize * nSplits <= 0) {
    throw new Error(
      `nSplits: ${nSplits} test blocks of ${testSize} samples plus a gap of ${gap} leave no training samples out of ${n}; ` +
        'lower nSplits, testSize or gap',
    );
  }
  const folds: Fold[] = [];
  for (let s = 0; s < nSplits; s++) {
    const testStart = n - nSplits * testSize + s * testSize;
    const trainEnd = testStart - gap;
    const trainStart =
      options.maxTrainSize !== undefined && options.maxTrainSize < trainEnd
        ? trainEnd - options.maxTrainSize
        : 0;
    folds.push({ train: range(trainStart, trainEnd), test: range(testStart, testStart + testSize), fold: s });
  }
  return makePlan(
    SplitKind.TimeSeries,
    { nSplits, gap, maxTrainSize: options.maxTrainSize, testSize: options.testSize ?? testSize },
    n,
    folds,
  );
}
