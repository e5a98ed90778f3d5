export { connectStore, Collections, type Store, type StoreOptions } from './store';
export { type FoldRepository } from './folds';
export { type TrialRepository, type LeaderboardOptions, type LeaderboardRow } from './trials';
export { type SearchRepository, type SearchPatch, type SearchInit } from './searches';
export { type ArtifactStore, type Artifact } from './artifacts';
export { type WriteResult } from './shared';
