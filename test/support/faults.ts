import { spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FoldwiseClient } from '@foldwise/sdk';
import type { FaultEvent } from './fault-port';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tests drive the local stack's probes
import { probeJetStream, probeMongo, probeTemporal } from '../../infra/local/health';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { searchAttributeTypes } from '../../infra/local/config';
import { freePort, startWorkerProcess, type WorkerProcess, type WorkerProcessOptions } from './workers';

const root = resolve(__dirname, '../..');

/** A service of the private stack. */
export type PrivateService = 'temporal' | 'ferretdb' | 'nats';

/** Connection settings of a private stack, in the worker's environment variable names. */
export interface PrivateEnv {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  MONGODB_URI: string;
  MONGODB_DB: string;
  NATS_URL: string;
}

/**
 * A Temporal dev server, FerretDB and NATS owned by one test file, on free ports of one address (loopback unless told);
 * its processes are killed when the test process exits without `close()`.
 */
export interface PrivateStack {
  env: PrivateEnv;
  /** Scratch directory: databases, logs, fault markers. */
  dir: string;
  /** Stops one service (SIGTERM, SIGKILL after 10 s); its data stays. */
  stop(name: PrivateService): Promise<void>;
  /** Starts one service again on the same port with the same data and waits until it answers. */
  start(name: PrivateService): Promise<void>;
  /** Stops every service and removes the scratch directory. */
  close(): Promise<void>;
}

interface Running {
  proc: ChildProcess;
  exited: Promise<void>;
}

/** Options of {@link startPrivateStack}. */
export interface PrivateStackOptions {
  /** Address every service binds to (default 127.0.0.1). */
  host?: string;
  /** The services to start (default all three); leave out `temporal` to bring an own Temporal. */
  services?: PrivateService[];
}

/**
 * Starts a private Temporal dev server (SQLite file), FerretDB (SQLite) and NATS JetStream, each on a free port of
 * `host` (only those of `services`).
 */
export async function startPrivateStack(
  label: string,
  opts: PrivateStackOptions = {},
): Promise<PrivateStack> {
  const dir = mkdtempSync(join(tmpdir(), `foldwise-faults-${label}-`));
  const host = opts.host ?? '127.0.0.1';
  const wanted = opts.services ?? ['temporal', 'ferretdb', 'nats'];
  const [tPort, mPort, nPort] = [await freePort(), await freePort(), await freePort()];
  const env: PrivateEnv = {
    TEMPORAL_ADDRESS: `${host}:${tPort}`,
    TEMPORAL_NAMESPACE: 'default',
    MONGODB_URI: `mongodb://${host}:${mPort}/`,
    MONGODB_DB: 'foldwise',
    NATS_URL: `nats://${host}:${nPort}`,
  };
  for (const d of ['ferretdb', 'ferretdb-state', 'nats']) mkdirSync(join(dir, d), { recursive: true });
  const attrs = Object.entries(searchAttributeTypes).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]);
  const cmd: Record<PrivateService, [string, string[]]> = {
    temporal: [
      join(root, '.cache/bin/temporal'),
      [
        'server',
        'start-dev',
        '--ip',
        host,
        '--port',
        String(tPort),
        '--headless',
        '--db-filename',
        join(dir, 'temporal.db'),
        '--sqlite-pragma',
        'journal_mode=wal',
        '--sqlite-pragma',
        'synchronous=normal',
        '--log-level',
        'warn',
        ...attrs,
      ],
    ],
    ferretdb: [
      join(root, '.cache/bin/ferretdb'),
      [
        '--handler=sqlite',
        `--sqlite-url=file:${join(dir, 'ferretdb')}/`,
        `--listen-addr=${host}:${mPort}`,
        `--state-dir=${join(dir, 'ferretdb-state')}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
    ],
    nats: ['nats-server', ['-js', '-a', host, '-p', String(nPort), '-sd', join(dir, 'nats')]],
  };
  const probe: Record<PrivateService, () => Promise<{ ok: boolean }>> = {
    temporal: () => probeTemporal(env.TEMPORAL_ADDRESS, 'default'),
    ferretdb: () => probeMongo(env.MONGODB_URI),
    nats: () => probeJetStream(env.NATS_URL),
  };
  const running = new Map<PrivateService, Running>();
  const killAll = (): void => {
    for (const r of running.values()) r.proc.kill('SIGKILL');
  };
  process.on('exit', killAll);

  const start = async (name: PrivateService): Promise<void> => {
    if (running.has(name)) return;
    const [bin, args] = cmd[name];
    const log = openSync(join(dir, `${name}.log`), 'a');
    const proc = spawn(bin, args, { cwd: dir, stdio: ['ignore', log, log] });
    const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
    running.set(name, { proc, exited });
    const deadline = Date.now() + 120_000;
    while (!(await probe[name]()).ok) {
      if (proc.exitCode !== null)
        throw new Error(
          `${name} exited while starting:\n${readFileSync(join(dir, `${name}.log`), 'utf8').slice(-2000)}`,
        );
      if (Date.now() > deadline) throw new Error(`${name} did not answer within 120 s`);
      await sleep(250);
    }
  };
  const stop = async (name: PrivateService): Promise<void> => {
    const r = running.get(name);
    if (!r) return;
    running.delete(name);
    if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
    r.proc.kill('SIGTERM');
    const t = setTimeout(() => r.proc.kill('SIGKILL'), 10_000);
    await r.exited;
    clearTimeout(t);
  };
  try {
    await Promise.all(wanted.map((name) => start(name)));
  } catch (err) {
    await Promise.all([stop('temporal'), stop('ferretdb'), stop('nats')]);
    process.off('exit', killAll);
    throw err;
  }
  return {
    env,
    dir,
    stop,
    start,
    async close() {
      await Promise.all([stop('temporal'), stop('ferretdb'), stop('nats')]);
      process.off('exit', killAll);
      if (!process.env['FOLDWISE_FAULTS_KEEP']) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The fault port workers load in fault tests (test-only; see ./fault-port.ts). */
export const FAULT_MODULE = join(__dirname, 'fault-port.ts');

/** Worker environment pointing at a private stack, with the fault port and its directory for trainFold's hooks. */
export function workerEnv(
  env: PrivateEnv,
  faultDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...env,
    FOLDWISE_FAULT_MODULE: FAULT_MODULE,
    FOLDWISE_FAULT_DIR: faultDir,
    FOLDWISE_HEARTBEAT_MS: '1000',
    FOLDWISE_CHECKPOINT_EVERY: '2',
    FOLDWISE_CHECKPOINT_SECONDS: '0',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** The control worker (workflows and control activities; it polls the unused `gpu` pool so it trains no CPU fold). */
export async function startControlWorker(
  env: PrivateEnv,
  faultDir: string,
  extra: Record<string, string> = {},
  opts: WorkerProcessOptions = {},
): Promise<WorkerProcess> {
  const w = await startWorkerProcess(
    workerEnv(env, faultDir, { FOLDWISE_POOL: 'gpu', FOLDWISE_CONTROL: 'true', LOG_LEVEL: 'info', ...extra }),
    opts,
  );
  await w.ready;
  return w;
}

/** A CPU pool worker that trains folds and serves no workflows. */
export async function startPoolWorker(
  env: PrivateEnv,
  faultDir: string,
  extra: Record<string, string> = {},
  opts: WorkerProcessOptions = {},
): Promise<WorkerProcess> {
  const w = await startWorkerProcess(
    workerEnv(env, faultDir, {
      FOLDWISE_POOL: 'cpu',
      FOLDWISE_CONTROL: 'false',
      LOG_LEVEL: 'info',
      ...extra,
    }),
    opts,
  );
  await w.ready;
  return w;
}

/** A fresh, empty fault directory under the stack's scratch directory. */
export function faultDir(stack: PrivateStack, name: string): string {
  const d = join(stack.dir, 'faults', name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Arms a marker file (see `FaultMarker` in ./fault-port.ts). */
export function armMarker(dir: string, marker: string): void {
  writeFileSync(join(dir, marker), '');
}

/** Whether an armed marker was taken by a worker. */
export function markerTaken(dir: string, marker: string): boolean {
  return !existsSync(join(dir, marker));
}

/** Every fault event the workers logged so far. */
export function faultEvents(dir: string): FaultEvent[] {
  const f = join(dir, 'events.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as FaultEvent);
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** An SDK client on a private stack. */
export function connectClient(env: PrivateEnv): Promise<FoldwiseClient> {
  return FoldwiseClient.connect({
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    mongodbUri: env.MONGODB_URI,
    mongodbDb: env.MONGODB_DB,
    natsUrl: env.NATS_URL,
  });
}

/** File the suite appends its one-line outcomes to (one JSON object per line). */
export const resultsFile = join(root, '.cache', 'faults', 'results.jsonl');

/** Prints the scenario's one-line outcome with the figure that proves it, and records it for RESULTS.md. */
export function report(scenario: string, outcome: 'pass' | 'fail', figure: string): void {
  const line = `[faults] ${scenario}: ${outcome.toUpperCase()} — ${figure}`;
  process.stdout.write(`${line}\n`);
  mkdirSync(join(root, '.cache', 'faults'), { recursive: true });
  appendFileSync(
    resultsFile,
    `${JSON.stringify({ scenario, outcome, figure, at: new Date().toISOString() })}\n`,
  );
}

/** Runs a scenario body and reports its line whatever happens; the body returns the figure. */
export async function scenario(name: string, body: () => Promise<string>): Promise<void> {
  try {
    const figure = await body();
    report(name, 'pass', figure);
  } catch (err) {
    report(
      name,
      'fail',
      (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 300) ?? '',
    );
    throw err;
  }
}
