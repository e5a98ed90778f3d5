import { z } from 'zod';
import { databaseInUri, temporalTarget, withCurrentNames, type TemporalTarget } from '@foldwise/sdk';
import { parseBenchTrainer } from './bench-trainer';

const port = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be an integer port`)
    .min(0, `${name} must be between 0 and 65535`)
    .max(65535, `${name} must be between 0 and 65535`);

const hostPort = (name: string) =>
  z.string().regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, `${name} must look like host:port (e.g. 127.0.0.1:7233)`);

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The worker's configuration, read from the environment and validated before anything starts. */
export const workerConfigSchema = z
  .object({
    /** Temporal's connection (with TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE) comes from @temporalio/envconfig. */
    TEMPORAL_ADDRESS: hostPort('TEMPORAL_ADDRESS').optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).optional(),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'MONGODB_URI must start with mongodb:// or mongodb+srv://')
      .default('mongodb://127.0.0.1:27017'),
    FOLDWISE_MONGODB_DB: z.string().min(1).optional(),
    NATS_URL: z
      .string()
      .regex(/^(nats|tls|ws|wss):\/\//, 'NATS_URL must start with nats://')
      .default('nats://127.0.0.1:4222'),
    NATS_CREDS: z.string().min(1).optional(),
    FOLDWISE_POOL: z.enum(['cpu', 'gpu'], { error: "FOLDWISE_POOL must be 'cpu' or 'gpu'" }).default('cpu'),
    FOLDWISE_SLOTS: z.coerce
      .number({ error: 'FOLDWISE_SLOTS must be a number' })
      .int()
      .min(0, 'FOLDWISE_SLOTS must be at least 0 (0: a control-only worker that trains nothing)')
      .max(256)
      .default(1),
    FOLDWISE_CONTROL: bool.default(true),
    FOLDWISE_PACK: z.coerce
      .number({ error: 'FOLDWISE_PACK must be a number' })
      .int('FOLDWISE_PACK must be an integer')
      .min(1, 'FOLDWISE_PACK must be at least 1 (1 turns packing off)')
      .max(64, 'FOLDWISE_PACK must be at most 64')
      .default(1),
    /**
     * Folds a worker takes from Temporal beyond its slots, so that a slot that frees starts its next fold at once
     * instead of waiting a round trip to the server (0: none).
     */
    FOLDWISE_PREFETCH: z.coerce
      .number({ error: 'FOLDWISE_PREFETCH must be a number' })
      .int('FOLDWISE_PREFETCH must be an integer')
      .min(0, 'FOLDWISE_PREFETCH must be at least 0')
      .max(256, 'FOLDWISE_PREFETCH must be at most 256')
      .default(1),
    FOLDWISE_PACK_WINDOW_MS: z.coerce.number().int().min(0).max(10_000).default(200),
    FOLDWISE_BACKEND: z
      .enum(['auto', 'tensorflow', 'tensorflow-gpu', 'webgpu', 'wasm', 'cpu'])
      .default('auto'),
    FOLDWISE_DENSE_ENGINE: z
      .enum(['auto', 'simd', 'tfjs'], { error: "FOLDWISE_DENSE_ENGINE must be 'auto', 'simd' or 'tfjs'" })
      .default('auto'),
    FOLDWISE_FAMILY_MODULES: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    FOLDWISE_CACHE_DIR: z.string().default('.cache/worker'),
    FOLDWISE_CHECKPOINT_EVERY: z.coerce.number().int().min(0).default(2),
    /** Seconds a fold trains between stored checkpoints at the least (0: every FOLDWISE_CHECKPOINT_EVERY epochs). */
    FOLDWISE_CHECKPOINT_SECONDS: z.coerce.number().min(0).max(86_400).default(10),
    FOLDWISE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
    /** Least milliseconds between two `epoch` progress events of one fold (0: every epoch). */
    FOLDWISE_EPOCH_EVENT_MS: z.coerce
      .number({ error: 'FOLDWISE_EPOCH_EVENT_MS must be a number of milliseconds' })
      .int('FOLDWISE_EPOCH_EVENT_MS must be an integer')
      .min(0, 'FOLDWISE_EPOCH_EVENT_MS must be at least 0')
      .max(3_600_000)
      .default(1000),
    /** MiB of preprocessed fold matrices a worker keeps for the next fold of the same plan (0: none). */
    FOLDWISE_FOLD_CACHE_MB: z.coerce
      .number({ error: 'FOLDWISE_FOLD_CACHE_MB must be a number of MiB' })
      .min(0, 'FOLDWISE_FOLD_CACHE_MB must be at least 0')
      .max(1_048_576)
      .default(256),
    /** Test support only: a module exporting `createFaultPort()` (test/support/fault-port.ts); refused in production. */
    FOLDWISE_FAULT_MODULE: z.string().optional(),
    NODE_ENV: z.string().optional(),
    FOLDWISE_SHUTDOWN_GRACE: z
      .string()
      .regex(/^\d+(ms|s|m)$/, 'FOLDWISE_SHUTDOWN_GRACE must be a duration like 30s')
      .default('20s'),
    FOLDWISE_WORKFLOW_CACHE: z.coerce.number().int().min(0).default(200),
    FOLDWISE_IDENTITY: z.string().optional(),
    FOLDWISE_BENCH_TRAINER: z
      .string()
      .optional()
      .refine(
        (v) => v === undefined || v === '' || parseBenchTrainer(v) !== undefined,
        "FOLDWISE_BENCH_TRAINER must be 'noop' or 'sleep:<ms>' (benchmarks only)",
      )
      .transform((v) => (v ? parseBenchTrainer(v) : undefined)),
    FOLDWISE_METRICS_PORT: port('FOLDWISE_METRICS_PORT').default(9464),
    FOLDWISE_METRICS_HOST: z.string().default('127.0.0.1'),
    FOLDWISE_FASHION_MNIST_DIR: z.string().min(1).optional(),
    FOLDWISE_LOG_LEVEL: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
        error: 'FOLDWISE_LOG_LEVEL must be trace, debug, info, warn, error, fatal or silent',
      })
      .default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.FOLDWISE_FAULT_MODULE && c.NODE_ENV === 'production') {
      ctx.addIssue({
        code: 'custom',
        path: ['FOLDWISE_FAULT_MODULE'],
        message:
          'FOLDWISE_FAULT_MODULE is for fault tests only and is refused with NODE_ENV=production (unset it)',
      });
    }
    if (c.FOLDWISE_SLOTS === 0 && !c.FOLDWISE_CONTROL) {
      ctx.addIssue({
        code: 'custom',
        path: ['FOLDWISE_SLOTS'],
        message:
          'FOLDWISE_SLOTS=0 makes a control-only worker, which needs FOLDWISE_CONTROL=true (this one would do nothing)',
      });
    }
    if (c.FOLDWISE_POOL === 'gpu' && c.FOLDWISE_SLOTS > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['FOLDWISE_SLOTS'],
        message: `FOLDWISE_SLOTS must be 1 in the gpu pool (got ${c.FOLDWISE_SLOTS}): one slot per GPU, one worker process per GPU (foldwise worker --pool gpu starts one for each visible GPU)`,
      });
    }
  });

/** Validated worker configuration, with the Temporal connection and the MongoDB database resolved. */
export type WorkerConfig = Omit<
  z.infer<typeof workerConfigSchema>,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'FOLDWISE_MONGODB_DB'
> & {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  FOLDWISE_MONGODB_DB: string;
  /** Where Temporal is and how to connect (TLS, API key), as `@temporalio/envconfig` and the variables say. */
  temporal: TemporalTarget;
};

/**
 * Reads and validates the configuration; the error names every bad variable. Old names (`METRICS_PORT`, `MONGODB_DB`,
 * …) are still read, each with a one-line notice to `onNotice`.
 */
export function loadWorkerConfig(
  env: NodeJS.ProcessEnv = process.env,
  onNotice: (line: string) => void = () => undefined,
): WorkerConfig {
  const current = withCurrentNames(env);
  current.notices.forEach((n) => onNotice(n));
  const r = workerConfigSchema.safeParse(current.env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid worker configuration:\n${lines.join('\n')}`);
  }
  let temporal: TemporalTarget;
  try {
    temporal = temporalTarget(current.env);
  } catch (err) {
    throw new Error(`invalid worker configuration:\nTEMPORAL_*: ${(err as Error).message}`);
  }
  return {
    ...r.data,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    FOLDWISE_MONGODB_DB: r.data.FOLDWISE_MONGODB_DB ?? databaseInUri(r.data.MONGODB_URI) ?? 'foldwise',
    temporal,
  };
}
