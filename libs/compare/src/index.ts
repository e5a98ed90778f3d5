// @foldwise/compare: statistical comparison of models scored on shared cross-validation folds.
// Pure (no imports outside this package, no I/O, no clocks, no global randomness): runs in the workflow sandbox.
export { Alternative, type TestResult } from './types';
export {
  logGamma,
  logBeta,
  gammaIncPair,
  gammaIncLower,
  gammaIncUpper,
  betaIncPair,
  betaInc,
} from './special';
export { normal, studentT, chiSquare, binomialCdf } from './distributions';
export { rankData, tieGroupSizes } from './ranks';
export {
  pairedTTest,
  correctedResampledTTest,
  wilcoxonSignedRank,
  wilcoxonExactPmf,
  ZeroMethod,
  WilcoxonMode,
  type PairedTTestResult,
  type WilcoxonOptions,
  type WilcoxonResult,
} from './paired';
export { bayesianCorrelatedTTest, type BayesianComparison } from './bayes';
export {
  friedmanTest,
  nemenyi,
  averageRanks,
  NEMENYI_Q,
  NemenyiAlpha,
  type FriedmanResult,
  type NemenyiResult,
  type NemenyiPair,
} from './friedman';
export { mcnemarTest, type McNemarResult, type Label } from './mcnemar';
export { holm, bonferroni, type Adjusted } from './adjust';
export {
  meanCi,
  bootstrapCi,
  quantileSorted,
  BootstrapMethod,
  IntervalMethod,
  describeIntervalMethod,
  type MeanCi,
  type BootstrapCi,
  type MetricRange,
} from './ci';
export { mulberry32, indexFrom } from './prng';
export {
  dominates,
  nonDominatedRanks,
  nonDominatedMask,
  paretoFront,
  hypervolume2d,
  type ParetoCandidate,
  type ParetoResult,
} from './pareto';
export {
  compareTopK,
  rankCandidates,
  repeatsSentence,
  undecidedCandidates,
  HolmFamily,
  type ComparisonExtras,
  type RepeatsRecord,
  type FamilyBest,
  type Candidate,
  type CandidateComparison,
  type CandidateComparisonOptions,
} from './candidates';
