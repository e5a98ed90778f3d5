import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { stackEnv } from './stack';

const root = resolve(__dirname, '../..');

const handedOut = new Set<number>();

const listenOn = (port: number): Promise<number> =>
  new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => ok(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });

/** A free TCP port on 127.0.0.1 whose next port is free too (a worker serves Temporal core metrics there), never handed out twice. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await listenOn(0);
    if (port <= 0 || port >= 65000 || handedOut.has(port) || handedOut.has(port + 1)) continue;
    if (
      !(await listenOn(port + 1).then(
        () => true,
        () => false,
      ))
    )
      continue;
    handedOut.add(port).add(port + 1);
    return port;
  }
}

/** A worker process started by a test. */
export interface WorkerProcess {
  proc: ChildProcess;
  metricsPort: number;
  /** Everything it wrote to stderr/stdout so far. */
  output(): string;
  /** Resolves once the worker logged that it started. */
  ready: Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the exit code once the process exited. */
  exited: Promise<number | null>;
}

/** Options of {@link startWorkerProcess}. */
export interface WorkerProcessOptions {
  /** Command prefix the worker runs under, e.g. `['ip', 'netns', 'exec', 'ns1']` to start it on another host. */
  wrap?: string[];
}

/**
 * Starts `services/worker/src/main.ts` with extra environment: against the local stack, unless `extra` names every
 * connection variable (then the local stack need not exist).
 */
export async function startWorkerProcess(
  extra: Record<string, string> = {},
  opts: WorkerProcessOptions = {},
): Promise<WorkerProcess> {
  const connection = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'MONGODB_URI', 'MONGODB_DB', 'NATS_URL'];
  const env = connection.every((k) => extra[k]) ? {} : stackEnv();
  const metricsPort = await freePort();
  const argv = [process.execPath, '--import', 'tsx', 'services/worker/src/main.ts'];
  const [cmd, ...args] = [...(opts.wrap ?? []), ...argv];
  const proc = spawn(cmd!, args, {
    cwd: root,
    env: {
      ...process.env,
      ...env,
      METRICS_PORT: String(metricsPort),
      FOLDWISE_SLOTS: '1',
      LOG_LEVEL: 'info',
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  const ready = new Promise<void>((ok, fail) => {
    const timer = setInterval(() => {
      if (out.includes('foldwise worker started')) {
        clearInterval(timer);
        ok();
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(timer);
      fail(new Error(`worker exited with ${code} before it started:\n${out.slice(-3000)}`));
    });
  });
  ready.catch(() => undefined);
  return {
    proc,
    metricsPort,
    output: () => out,
    ready,
    exited,
    async stop(graceMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Reads one worker's `/metrics` text. */
export async function scrapeMetrics(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return res.text();
}

/** Sums the samples of a metric whose labels include every given label. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([^\s]+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const lbl = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => lbl.includes(`${k}="${v}"`))) total += Number(m[3]);
  }
  return total;
}
