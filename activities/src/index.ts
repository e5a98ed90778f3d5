export { createActivities, type FoldwiseActivities, type FoldHeartbeat } from './activities';
export { planFolds, type FoldPlan, type FoldIndices } from './plan';
export { gatherLabels, preprocessFold } from './preprocess';
export type * from './ports';
