export { buildReport, ChartId, MAX_CURVE_TRIALS, MAX_STRIP_TRIALS } from './build';
export type { ReportData, ReportFold, ReportTrial } from './data';
export { paramImportance, type ImportanceObservation, type ParamImportance } from './importance';
export { syntheticReportData } from './synthetic';
export { cdCliques, rankedTrials, trialLabel, formatParams } from './charts';
