export { FoldwiseClient, SubmissionError, type ConnectOptions, type SubmitOptions } from './client';
export { SearchHandle, type LeaderboardEntry } from './handle';
export { compareTrials, type CompareOptions } from './compare';
