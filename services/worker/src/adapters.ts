import { join, resolve } from 'node:path';
import {
  createStorePort,
  type ActivityDeps,
  type DataPort,
  type EventsPort,
  type FaultPort,
  type TelemetryPort,
  type TrainerPort,
} from '@foldwise/activities';
import { loadDataset } from '@foldwise/datasets';
import { connectEventsLazily } from '@foldwise/events';
import {
  createPackingTrainer,
  createTrainerPool,
  denseEngineFor,
  isPackable,
  loadFamilyModules,
  refit,
  saveModelArtifact,
  selectBackend,
  setDenseEngine,
  threadCpuMs,
} from '@foldwise/models';
import { connectStore } from '@foldwise/store';
import { createTelemetry, serveMetrics, type Health } from '@foldwise/telemetry';
import { createBenchTrainer } from './bench-trainer';
import type { WorkerConfig } from './config';
import { redactUri, type Logger } from './logger';

/** The worker's live dependencies and how to close them. */
export interface Resources {
  deps: ActivityDeps;
  backend: string;
  metricsUrl: string;
  close(): Promise<void>;
}

/** Connects the store, events, trainer pool and metrics endpoint, and adapts them to the activities' ports. */
export async function createDeps(
  config: WorkerConfig,
  identity: string,
  logger: Logger,
  coreMetricsPort: number,
  health?: () => Health,
): Promise<Resources> {
  const store = await connectStore({
    uri: config.MONGODB_URI,
    dbName: config.FOLDWISE_MONGODB_DB,
    appName: `foldwise-worker-${config.FOLDWISE_POOL}`,
  });
  await store.ensureIndexes();
  logger.info({ mongodb: redactUri(config.MONGODB_URI), db: config.FOLDWISE_MONGODB_DB }, 'store connected');
  const events = connectEventsLazily({
    url: config.NATS_URL,
    ...(config.NATS_CREDS ? { credsFile: config.NATS_CREDS } : {}),
    logger: {
      warn: (o: object, m: string) => logger.warn(o, m),
      error: (o: object, m: string) => logger.error(o, m),
    },
  });
  const bench = config.FOLDWISE_BENCH_TRAINER ? createBenchTrainer(config.FOLDWISE_BENCH_TRAINER) : undefined;
  const pool =
    bench || config.FOLDWISE_SLOTS === 0
      ? undefined
      : createTrainerPool({
          slots: config.FOLDWISE_SLOTS,
          backend: config.FOLDWISE_BACKEND,
          familyModules: config.FOLDWISE_FAMILY_MODULES.map((p) => resolve(p)),
          denseEngine: config.FOLDWISE_DENSE_ENGINE,
          transferInputs: true,
        });
  const choice = pool ? await pool.backend : { backend: bench ? 'bench' : 'none', gpu: false, skipped: [] };
  const packer =
    pool && config.FOLDWISE_PACK > 1
      ? createPackingTrainer({
          windowMs: config.FOLDWISE_PACK_WINDOW_MS,
          maxPack: config.FOLDWISE_PACK,
          pool,
          onPack: (size) => logger.info({ folds: size }, 'packed training'),
        })
      : undefined;
  if (bench)
    logger.warn(
      { trainer: config.FOLDWISE_BENCH_TRAINER },
      'FOLDWISE_BENCH_TRAINER is set: folds run the benchmark trainer, not tfjs',
    );
  const local = await selectBackend(config.FOLDWISE_BACKEND);
  setDenseEngine(config.FOLDWISE_DENSE_ENGINE);
  const ownFamilies = loadFamilyModules(config.FOLDWISE_FAMILY_MODULES.map((p) => resolve(p)));
  if (ownFamilies.length > 0)
    logger.info(
      { families: ownFamilies.map((n) => `custom:${n}`) },
      'registered the configured model families',
    );
  for (const s of choice.skipped) logger.info({ backend: s.name, reason: s.reason }, 'backend skipped');
  logger.info(
    {
      backend: choice.backend,
      denseEngine: denseEngineFor(choice.backend),
      gpu: choice.gpu,
      slots: config.FOLDWISE_SLOTS,
      refitBackend: local.backend,
    },
    'trainer pool ready',
  );
  const telemetry = createTelemetry({ pool: config.FOLDWISE_POOL });
  telemetry.setSlots(config.FOLDWISE_SLOTS);
  telemetry.setBackend(choice.backend);
  const server = await serveMetrics({
    port: config.FOLDWISE_METRICS_PORT,
    host: config.FOLDWISE_METRICS_HOST,
    registry: telemetry.registry,
    ...(health ? { health } : {}),
    ...(coreMetricsPort > 0
      ? {
          extra: async () => {
            try {
              const res = await fetch(`http://127.0.0.1:${coreMetricsPort}/metrics`);
              return res.ok ? await res.text() : '';
            } catch {
              return '';
            }
          },
        }
      : {}),
  });
  const cacheDir = resolve(config.FOLDWISE_CACHE_DIR);

  const storePort = createStorePort(store, logger);
  const faults = config.FOLDWISE_FAULT_MODULE
    ? await loadFaultPort(config.FOLDWISE_FAULT_MODULE, logger)
    : undefined;
  const eventsPort: EventsPort = { publish: (e) => events.publish(e) };
  const data: DataPort = {
    load: (ref) => loadDataset(ref, { db: store.db, cacheDir: join(cacheDir, 'datasets') }),
  };
  const trainer: TrainerPort = bench ?? {
    backend: choice.backend,
    train: (job, hooks) =>
      packer && isPackable(job.family)
        ? packer.submit(stripUndefined(job), hooks)
        : pool!.run(stripUndefined(job), hooks),
    refit: async (job, hooks) => {
      const cpu0 = threadCpuMs();
      const { model, result } = await refit(stripUndefined(job), hooks);
      const cpu1 = threadCpuMs();
      if (cpu0 !== undefined && cpu1 !== undefined) result.cpuMs = cpu1 - cpu0;
      try {
        const artifact = await saveModelArtifact(model);
        return { ...result, artifact: artifact.files };
      } finally {
        model.dispose();
      }
    },
  };
  const telemetryPort: TelemetryPort = {
    foldStarted: (model) => telemetry.foldStarted(model),
    foldFinished: (model, outcome, seconds) => telemetry.foldFinished(model, outcome, seconds),
    epochsTrained: (model, epochs, samples) => telemetry.epochsTrained(model, epochs, samples * epochs),
    foldRetried: () => telemetry.foldRetried(),
    trialFinished: (outcome) => telemetry.trialFinished(outcome),
    bestScore: (searchId, metric, score) => telemetry.bestScore(searchId, metric, score),
  };

  return {
    deps: {
      store: storePort,
      events: eventsPort,
      telemetry: telemetryPort,
      data,
      trainer,
      worker: { identity, pool: config.FOLDWISE_POOL },
      checkpointEvery: config.FOLDWISE_CHECKPOINT_EVERY,
      checkpointMinMs: config.FOLDWISE_CHECKPOINT_SECONDS * 1000,
      heartbeatMs: config.FOLDWISE_HEARTBEAT_MS,
      epochEventMs: config.FOLDWISE_EPOCH_EVENT_MS,
      foldCacheBytes: Math.round(config.FOLDWISE_FOLD_CACHE_MB * 1024 * 1024),
      ...(faults ? { faults } : {}),
    },
    backend: choice.backend,
    metricsUrl: server.url,
    async close() {
      await pool?.close();
      await server.close();
      await events.close();
      await store.close();
    },
  };
}

/** Loads a fault test's hook from the module the test named (test support only; the configuration refuses it in production). */
async function loadFaultPort(modulePath: string, logger: Logger): Promise<FaultPort> {
  const mod = (await import(resolve(modulePath))) as { createFaultPort?: () => FaultPort };
  if (typeof mod.createFaultPort !== 'function')
    throw new Error(`FOLDWISE_FAULT_MODULE: ${modulePath} does not export createFaultPort()`);
  logger.warn({ module: modulePath }, 'fault injection enabled (test support only)');
  return mod.createFaultPort();
}

function stripUndefined<T extends object>(job: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(job).filter(([, v]) => v !== undefined)) as never;
}
