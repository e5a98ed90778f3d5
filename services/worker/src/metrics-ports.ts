import { reserveMetricsPort, type ReservedPort } from '@foldwise/telemetry';

/** The ports a worker process serves metrics on: foldwise's `/metrics` and Temporal Core's exporter (0: none). */
export interface MetricsPorts {
  /** Held for `serveMetrics`, which takes it over (0 when `FOLDWISE_METRICS_PORT=0`: any free port, chosen when served). */
  metrics: number;
  /** Temporal Core's Prometheus exporter, bound by `bindCore`; 0 when none was bound. */
  core: number;
  /** Whether these are not the ports asked for (the asked ones were taken). */
  moved: boolean;
  /** Frees the metrics port if it is still only held. */
  release(): Promise<void>;
}

/** What {@link claimMetricsPorts} needs. */
export interface ClaimMetricsPortsOptions {
  /** `FOLDWISE_METRICS_PORT`: foldwise's `/metrics` there, Temporal Core's on the next port; 0: any port, no Core metrics. */
  port: number;
  /** `FOLDWISE_METRICS_HOST`, where `/metrics` listens. */
  host: string;
  /** The user set `FOLDWISE_METRICS_PORT`: fail when it is taken instead of looking further. */
  fixed: boolean;
  /** Starts Temporal Core's exporter on this port (throws "Address already in use" when taken); undefined: started already. */
  bindCore: ((port: number) => void) | undefined;
}

/** `FOLDWISE_METRICS_PORT` (or the port after it) is taken and the user set it: the one line to print. */
export class MetricsPortTaken extends Error {
  override readonly name = 'MetricsPortTaken';
}

const PAIRS_TRIED = 32;
const EPHEMERAL_TRIES = 8;

const addressInUse = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' ||
  /address already in use/i.test(error instanceof Error ? error.message : String(error));

/**
 * Claims the worker's two metrics ports: `FOLDWISE_METRICS_PORT` and the next one, or, when the user left `FOLDWISE_METRICS_PORT` unset
 * and these are taken (another worker on this host), the next free pair `FOLDWISE_METRICS_PORT + 2k`, then any free pair. The
 * metrics port is bound at once and held for `serveMetrics`, so workers started together never pick the same pair.
 */
export async function claimMetricsPorts(opts: ClaimMetricsPortsOptions): Promise<MetricsPorts> {
  if (opts.port === 0) return { metrics: 0, core: 0, moved: false, release: async () => undefined };
  const candidates: number[] = [];
  for (let k = 0; k < (opts.fixed ? 1 : PAIRS_TRIED); k++) {
    const p = opts.port + 2 * k;
    if (p + 1 <= 65535) candidates.push(p);
  }
  if (!opts.fixed) for (let k = 0; k < EPHEMERAL_TRIES; k++) candidates.push(0);
  for (const candidate of candidates) {
    let held: ReservedPort;
    try {
      held = await reserveMetricsPort({ port: candidate, host: opts.host });
    } catch (error) {
      if (!addressInUse(error)) throw error;
      if (opts.fixed) {
        throw new MetricsPortTaken(
          `FOLDWISE_METRICS_PORT: ${opts.host}:${candidate} is already in use (another foldwise worker?); set FOLDWISE_METRICS_PORT to a free port, or leave it unset to pick free ones`,
        );
      }
      continue;
    }
    if (!opts.bindCore)
      return { metrics: held.port, core: 0, moved: held.port !== opts.port, release: held.release };
    const core = held.port + 1;
    if (core > 65535) {
      await held.release();
      continue;
    }
    try {
      opts.bindCore(core);
    } catch (error) {
      await held.release();
      if (!addressInUse(error)) throw error;
      if (opts.fixed) {
        throw new MetricsPortTaken(
          `FOLDWISE_METRICS_PORT: 127.0.0.1:${core} (FOLDWISE_METRICS_PORT + 1, Temporal Core's metrics) is already in use; set FOLDWISE_METRICS_PORT to a port whose next port is free too, or leave it unset to pick free ones`,
        );
      }
      continue;
    }
    return { metrics: held.port, core, moved: held.port !== opts.port, release: held.release };
  }
  throw new MetricsPortTaken(
    `FOLDWISE_METRICS_PORT: no free pair of ports found from ${opts.port} up nor among the system's free ports; set FOLDWISE_METRICS_PORT to a free port`,
  );
}
