export { type Label, type Labels } from './labels';
export {
  Average,
  type AverageName,
  type ZeroDivision,
  type PrfOptions,
  type FbetaOptions,
  type PrfsOptions,
  type PrfsResult,
  type AccuracyOptions,
  ConfusionNormalize,
  type ConfusionMatrixOptions,
  KappaWeights,
  type CohenKappaOptions,
  type BalancedAccuracyOptions,
  type MatthewsOptions,
  accuracyScore,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  f1Score,
  fbetaScore,
  confusionMatrix,
  balancedAccuracyScore,
  cohenKappaScore,
  matthewsCorrcoef,
} from './classification';
export {
  type ReportRow,
  type ClassificationReport,
  type ClassificationReportOptions,
  classificationReport,
  formatFixed,
} from './report';
export { type ScoreMatrix, ROW_SUM_TOLERANCE } from './proba';
export {
  MultiClass,
  RocAverage,
  type RocAucOptions,
  type AveragePrecisionOptions,
  rocAucScore,
  averagePrecisionScore,
} from './ranking';
export { type LogLossOptions, logLoss } from './logloss';
export {
  type RegressionOptions,
  meanSquaredError,
  rootMeanSquaredError,
  meanAbsoluteError,
  r2Score,
} from './regression';
export {
  ScorerNeeds,
  ScorerTask,
  type Scorer,
  type ScorerInput,
  type ScoreRange,
  getScorer,
  scorerRange,
  CostMetric,
  isCostMetric,
  metricInfo,
  scorerNames,
  scoreAll,
  closeScorerNames,
} from './scorers';
