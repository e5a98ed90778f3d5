import { z } from 'zod';
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
    TEMPORAL_ADDRESS: hostPort('TEMPORAL_ADDRESS').default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'MONGODB_URI must start with mongodb:// or mongodb+srv://')
      .default('mongodb://127.0.0.1:27017'),
    MONGODB_DB: z.string().min(1).default('foldwise'),
    NATS_URL: z
      .string()
      .regex(/^(nats|tls|ws|wss):\/\//, 'NATS_URL must start with nats://')
      .default('nats://127.0.0.1:4222'),
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
    FOLDWISE_BACKEND: z.enum(['auto', 'tensorflow', 'tensorflow-gpu', 'wasm', 'cpu']).default('auto'),
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
    METRICS_PORT: port('METRICS_PORT').default(9464),
    METRICS_HOST: z.string().default('127.0.0.1'),
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

/** Validated worker configuration. */
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

/** Reads and validates the configuration; the error names every bad variable. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const r = workerConfigSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid worker configuration:\n${lines.join('\n')}`);
  }
  return r.data;
}
