/**
 * Cross-validation splitters: pure, seeded, sandbox-safe. Unshuffled k-fold, stratified k-fold, group
 * k-fold, stratified group k-fold and time-series splits equal scikit-learn 1.2's exactly (checked against
 * fixtures in test/reference/splits). Shuffled variants draw from foldwise's sfc32 PRNG (`createRng`), not
 * numpy's Mersenne Twister, so they never equal scikit-learn's shuffled folds for the same seed number —
 * by design: they are reproducible across machines and inside Temporal's workflow sandbox instead. Every
 * plan carries a hash of (kind, options, n, folds), so fold results can prove they share the same folds.
 */
export * from './types';
export { kFold, repeatedKFold } from './kfold';
export { stratifiedKFold, repeatedStratifiedKFold } from './stratified';
export { groupKFold, stratifiedGroupKFold } from './group';
export { timeSeriesSplit } from './time-series';
export { shuffleSplit, trainTestSplit } from './shuffle';
export { makeSplits, checkCvSpec } from './make-splits';
export { nestedCv, type NestedCvOptions } from './nested';
export { hashPlan } from './plan';
