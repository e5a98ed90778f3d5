export * from './types';
export { kFold, repeatedKFold } from './kfold';
export { stratifiedKFold, repeatedStratifiedKFold } from './stratified';
export { groupKFold, stratifiedGroupKFold } from './group';
export { timeSeriesSplit } from './time-series';
export { shuffleSplit, trainTestSplit } from './shuffle';
export { makeSplits, checkCvSpec } from './make-splits';
export { nestedCv, type NestedCvOptions } from './nested';
export { hashPlan } from './plan';
