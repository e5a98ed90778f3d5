export { startWorker, type RunningWorker } from './worker';
export { loadWorkerConfig, workerConfigSchema, type WorkerConfig } from './config';
export { workflowBundle, workflowSourceHash, repoRoot } from './bundle';
export { createStorePort } from './store-port';
