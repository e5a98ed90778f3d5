// Bayesian correlated t-test (Benavoli, Corani, Demšar & Zaffalon 2017, "Time for a change").
import { studentT } from './distributions';
import { checkTestTrainRatio, mean, pairedDifferences, sampleVariance } from './validate';

/** Posterior probabilities of {@link bayesianCorrelatedTTest} and the Student t posterior they come from. */
export interface BayesianComparison {
  /** P(a − b < −rope): b is practically better. */
  pLeft: number;
  /** P(|a − b| ≤ rope): practically equivalent. */
  pRope: number;
  /** P(a − b > rope): a is practically better. */
  pRight: number;
  mean: number;
  scale: number;
  df: number;
}

/**
 * Posterior of the mean difference a − b over correlated cross-validation folds: Student t with n − 1
 * degrees of freedom, location mean(d) and scale sqrt((1/n + ρ/(1 − ρ))·s²), where ρ = nTest/(nTest + nTrain)
 * is the correlation between folds; ρ/(1 − ρ) = nTest/nTrain = testTrainRatio (1/(k − 1) for k-fold).
 * When every difference is equal (s = 0) the posterior is a point mass at the mean and the
 * probabilities are 0 or 1.
 */
export function bayesianCorrelatedTTest(
  a: number[],
  b: number[],
  opts: { rope: number; testTrainRatio: number },
): BayesianComparison {
  const d = pairedDifferences(a, b);
  checkTestTrainRatio(opts.testTrainRatio);
  const rope = opts.rope;
  if (typeof rope !== 'number' || !Number.isFinite(rope) || rope < 0) {
    throw new Error(`rope: must be a finite number >= 0 (got ${String(rope)})`);
  }
  const n = d.length;
  const m = mean(d);
  const scale = Math.sqrt((1 / n + opts.testTrainRatio) * sampleVariance(d, m));
  const df = n - 1;
  if (scale === 0) {
    const pLeft = m < -rope ? 1 : 0;
    const pRight = m > rope ? 1 : 0;
    return { pLeft, pRope: 1 - pLeft - pRight, pRight, mean: m, scale, df };
  }
  const pLeft = studentT.cdf((-rope - m) / scale, df);
  const pRight = studentT.sf((rope - m) / scale, df);
  return { pLeft, pRope: 1 - pLeft - pRight, pRight, mean: m, scale, df };
}
