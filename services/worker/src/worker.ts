import { hostname } from 'node:os';
import { NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { createActivities } from '@foldwise/activities';
import { TaskQueue, poolTaskQueue } from '@foldwise/spec';
import type { Health } from '@foldwise/telemetry';
import { workflowBundle } from './bundle';
import type { WorkerConfig } from './config';
import { createDeps, type Resources } from './adapters';
import { createLogger } from './logger';
import { claimMetricsPorts } from './metrics-ports';

/** A running worker process: its Temporal workers, resources and metrics endpoint. */
export interface RunningWorker {
  /** Resolves when every Temporal worker has stopped. */
  done: Promise<void>;
  /** Stops polling, lets running folds finish within the grace time, then closes resources. */
  shutdown(): Promise<void>;
  /** URL of `/metrics`. */
  metricsUrl: string;
  /** Backend the trainer runs on. */
  backend: string;
}

/** How {@link startWorker} treats its metrics ports. */
export interface StartWorkerOptions {
  /** The user set `FOLDWISE_METRICS_PORT`: fail with one line when it is taken rather than pick free ports. Default true. */
  metricsPortFixed?: boolean;
}

/** Temporal Core's metrics port of this process's runtime (0: none); undefined until the runtime is installed. */
let installedCorePort: number | undefined;

const installRuntime = (corePort: number): void => {
  Runtime.install({
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      ...(corePort > 0 ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${corePort}` } } } : {}),
    },
  });
  installedCorePort = corePort;
};

/** Starts one worker process serving a pool (and the control queue with workflows, unless disabled). */
export async function startWorker(
  config: WorkerConfig,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const logger = createLogger();
  const identity = config.FOLDWISE_IDENTITY ?? `${config.FOLDWISE_POOL}@${hostname()}:${process.pid}`;
  const ports = await claimMetricsPorts({
    port: config.FOLDWISE_METRICS_PORT,
    host: config.FOLDWISE_METRICS_HOST,
    fixed: options.metricsPortFixed ?? true,
    bindCore: installedCorePort === undefined ? installRuntime : undefined,
  });
  if (installedCorePort === undefined) installRuntime(0);
  const coreMetricsPort = installedCorePort ?? 0;
  if (ports.moved) {
    logger.warn(
      { asked: config.FOLDWISE_METRICS_PORT, metricsPort: ports.metrics, coreMetricsPort },
      'FOLDWISE_METRICS_PORT and the port after it are in use (another worker?): serving metrics on free ports instead; set FOLDWISE_METRICS_PORT to choose',
    );
  }
  const workers: Worker[] = [];
  let health: Health = { ok: false, reason: 'starting: not polling Temporal yet' };
  const resources: Resources = await createDeps(
    { ...config, FOLDWISE_METRICS_PORT: ports.metrics },
    identity,
    logger,
    coreMetricsPort,
    () => {
      const failed = workers.find((w) => w.getState() === 'FAILED');
      return failed
        ? { ok: false, reason: `a Temporal worker failed (${failed.options.taskQueue})` }
        : health;
    },
  ).catch(async (error: unknown) => {
    await ports.release();
    throw error;
  });
  const { address, tls, apiKey, metadata } = config.temporal;
  const connection = await NativeConnection.connect({
    address,
    ...(tls !== undefined && tls !== null ? { tls } : {}),
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(metadata !== undefined ? { metadata: metadata as Record<string, string> } : {}),
  });
  const activities = createActivities(resources.deps);
  if (config.FOLDWISE_SLOTS > 0)
    workers.push(
      await Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: poolTaskQueue(config.FOLDWISE_POOL),
        identity,
        activities: { trainFold: activities.trainFold, refitBest: activities.refitBest },
        maxConcurrentActivityTaskExecutions:
          config.FOLDWISE_SLOTS * config.FOLDWISE_PACK + config.FOLDWISE_PREFETCH,
        maxHeartbeatThrottleInterval: config.FOLDWISE_HEARTBEAT_MS,
        defaultHeartbeatThrottleInterval: config.FOLDWISE_HEARTBEAT_MS,
        shutdownGraceTime: config.FOLDWISE_SHUTDOWN_GRACE,
      }),
    );
  if (config.FOLDWISE_CONTROL) {
    workers.push(
      await Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: TaskQueue.Control,
        identity: `${identity}/control`,
        workflowBundle: await workflowBundle(),
        activities: {
          prepareSearch: activities.prepareSearch,
          recordTrialStart: activities.recordTrialStart,
          finalizePartialFolds: activities.finalizePartialFolds,
          finishTrial: activities.finishTrial,
          finishSearch: activities.finishSearch,
        },
        maxCachedWorkflows: config.FOLDWISE_WORKFLOW_CACHE,
        maxConcurrentActivityTaskExecutions: 20,
        shutdownGraceTime: '5s',
      }),
    );
  }
  const done = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  health = { ok: true };
  logger.info(
    {
      identity,
      pool: config.FOLDWISE_POOL,
      slots: config.FOLDWISE_SLOTS,
      backend: resources.backend,
      metrics: resources.metricsUrl,
      coreMetricsPort,
      control: config.FOLDWISE_CONTROL,
    },
    'foldwise worker started',
  );
  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      logger.info({ identity }, 'shutting down: no new tasks; running folds get the grace time to finish');
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done.catch(() => undefined);
      await connection.close();
      await resources.close();
      logger.info({ identity }, 'worker stopped');
    })();
    return closing;
  };
  return { done, shutdown, metricsUrl: resources.metricsUrl, backend: resources.backend };
}
