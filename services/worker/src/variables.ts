import type { workerConfigSchema } from './config';

/** What each variable of the worker means; the variables table is generated from the schema and these lines. */
export const workerVariableDocs: Record<keyof typeof workerConfigSchema.shape, string> = {
  TEMPORAL_ADDRESS:
    'Temporal frontend `host:port` (as for clients; with the `TEMPORAL_*` TLS, API key and profile)',
  TEMPORAL_NAMESPACE: 'Temporal namespace (as for clients)',
  MONGODB_URI: 'MongoDB connection string; a database in its path is the one used',
  FOLDWISE_MONGODB_DB: 'MongoDB database, over the one in `MONGODB_URI` (default: that one, else `foldwise`)',
  NATS_URL: 'NATS server(s) with JetStream, comma-separated',
  NATS_CREDS: 'NATS credentials file (JWT and NKey seed)',
  FOLDWISE_POOL: 'resource pool whose task queue the worker serves (`foldwise-cpu`, `foldwise-gpu`)',
  FOLDWISE_SLOTS: 'folds trained at once, one thread each (1 in the gpu pool: one process per GPU)',
  FOLDWISE_CONTROL: 'also serve the control queue (workflows and bookkeeping activities)',
  FOLDWISE_PACK: 'folds of one architecture trained as one batched computation (1: packing off)',
  FOLDWISE_PREFETCH:
    'folds taken from Temporal beyond the slots, so a freed slot starts the next one at once',
  FOLDWISE_PACK_WINDOW_MS: 'how long a fold waits for others to pack with',
  FOLDWISE_BACKEND: 'tfjs backend: the best that loads (`auto`), or one named',
  FOLDWISE_DENSE_ENGINE:
    'dense families on the WebAssembly SIMD kernels (`simd`), the tfjs-op loop (`tfjs`), or `auto`',
  FOLDWISE_FAMILY_MODULES: 'comma-separated modules that register custom families (`custom:<name>` in specs)',
  FOLDWISE_CACHE_DIR: 'folder for datasets fetched from GridFS, relative to the working directory',
  FOLDWISE_CHECKPOINT_EVERY: 'epochs between checkpoints of a fold (0: none)',
  FOLDWISE_CHECKPOINT_SECONDS: 'least seconds between two stored checkpoints of a fold',
  FOLDWISE_HEARTBEAT_MS: 'most milliseconds between heartbeats of a running fold',
  FOLDWISE_EPOCH_EVENT_MS:
    'least milliseconds between two `epoch` progress events of one fold (0: every epoch)',
  FOLDWISE_FOLD_CACHE_MB:
    'MiB of preprocessed fold matrices kept for the next fold of the same plan (0: none)',
  FOLDWISE_FAULT_MODULE:
    'fault tests only: a module exporting `createFaultPort()`; refused with `NODE_ENV=production`',
  NODE_ENV: '`production` refuses the test-only variables',
  FOLDWISE_SHUTDOWN_GRACE:
    'on SIGTERM, how long running folds may finish before they are handed back (`30s`, `2m`)',
  FOLDWISE_WORKFLOW_CACHE: 'workflow executions kept in memory (0: replay every task)',
  FOLDWISE_IDENTITY: 'worker identity shown in Temporal (default `<pool>@<host>:<pid>`)',
  FOLDWISE_BENCH_TRAINER: 'benchmarks only: `noop` or `sleep:<ms>` instead of training',
  FOLDWISE_METRICS_PORT:
    '`/metrics` port, Temporal Core’s on the next; unset, the first free pair from 9464 up (0: any); was `METRICS_PORT`',
  FOLDWISE_METRICS_HOST: 'address `/metrics` listens on; was `METRICS_HOST`',
  FOLDWISE_FASHION_MNIST_DIR:
    'folder of the Fashion-MNIST IDX files (default `/usr/share/datasets/fashion-mnist`); was `FASHION_MNIST_DIR`',
  FOLDWISE_LOG_LEVEL: 'log level of the JSON logs on stderr; was `LOG_LEVEL`',
};
