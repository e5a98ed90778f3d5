export { startWorker, type RunningWorker } from './worker';
export { loadWorkerConfig, workerConfigSchema, type WorkerConfig } from './config';
export { workerVariableDocs } from './variables';
export { workflowBundle, workflowSourceHash, repoRoot } from './bundle';
