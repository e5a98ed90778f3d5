export { FoldwiseClient, SubmissionError, type ConnectOptions, type SubmitOptions } from './client';
export { SearchHandle, type LeaderboardEntry } from './handle';
export { foldRow, trialRow, type FoldRow, type TrialRow } from './rows';
export { defineSearch } from './define';
export { compareTrials, type CompareOptions } from './compare';
export type {
  ComparisonResult,
  FamilyName,
  FamilyParamsInput,
  FoldDoc,
  FoldwiseEvent,
  ModelSpecInput,
  SearchDoc,
  SearchProgress,
  SearchResult,
  SearchSpec,
  SearchSpecInput,
  SpecIssue,
  TrialDoc,
} from '@foldwise/spec';
export {
  clientEnvSchema,
  clientVariableDocs,
  databaseInUri,
  mongoDatabase,
  readClientEnv,
  renamedVariables,
  temporalTarget,
  withCurrentNames,
  type ClientEnv,
  type TemporalTarget,
} from './connection';
