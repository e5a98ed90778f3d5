import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { TaskQueue, poolTaskQueue } from '@foldwise/spec';
import { repoRoot } from './env';

/** Options of a worker started by the CLI. */
export interface WorkerChildOptions {
  pool: 'cpu' | 'gpu';
  slots?: number | undefined;
  /** Environment of the child (connection variables included). */
  env: NodeJS.ProcessEnv;
  /** `inherit` passes the worker's output through; `pipe` keeps it (see `output()`). */
  stdio: 'inherit' | 'pipe';
}

/** A worker process started by the CLI. */
export interface WorkerChild {
  proc: ChildProcess;
  /** Resolves once the worker logged that it started; rejects if it exits first. */
  ready: Promise<void>;
  /** Resolves with the exit code (or 128 + signal number) when it exits. */
  exited: Promise<number>;
  /** What it printed so far (with `stdio: 'pipe'`). */
  output(): string;
  /** SIGTERM (running folds finish), SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Whether this CLI runs from its TypeScript sources (under tsx) rather than from `npm run build`'s bundle. */
const fromSources = __filename.endsWith('.ts');

/** The worker's entry point and how node starts it: the built `worker.js` beside this bundle, or the sources under tsx. */
export const workerCommand = (): { args: string[]; cwd: string } =>
  fromSources
    ? { args: ['--import', 'tsx', resolve(repoRoot, 'services', 'worker', 'src', 'main.ts')], cwd: repoRoot }
    : { args: [join(__dirname, 'worker.js')], cwd: process.cwd() };

/**
 * The environment of each worker process of a gpu pool on these GPUs: one process per GPU, pinned with
 * `CUDA_VISIBLE_DEVICES`, one slot each, and only the first also serving the control queue unless `FOLDWISE_CONTROL`
 * says otherwise. With `FOLDWISE_METRICS_PORT` (or the old `METRICS_PORT`) set, worker i serves metrics on that port
 * + 2i (and Temporal Core's on the next port); unset, each worker picks the first free pair from 9464 up and logs it.
 */
export function gpuWorkerEnvs(gpus: readonly string[], env: NodeJS.ProcessEnv): NodeJS.ProcessEnv[] {
  if (gpus.length <= 1) return [{ ...env, FOLDWISE_SLOTS: '1' }];
  const variable = (env['FOLDWISE_METRICS_PORT'] ?? '') !== '' ? 'FOLDWISE_METRICS_PORT' : 'METRICS_PORT';
  const fixed = (env[variable] ?? '') !== '';
  const base = Number(env[variable]);
  if (fixed && (!Number.isInteger(base) || base < 1 || base + 2 * gpus.length > 65535)) {
    throw new Error(
      `${variable}: must leave room for ${gpus.length} workers at ${variable} + 2i (got ${env[variable]})`,
    );
  }
  return gpus.map((id, i) => ({
    ...env,
    CUDA_VISIBLE_DEVICES: id,
    FOLDWISE_SLOTS: '1',
    ...(fixed ? { [variable]: String(base + 2 * i) } : {}),
    FOLDWISE_CONTROL: env['FOLDWISE_CONTROL'] ?? (i === 0 ? 'true' : 'false'),
    ...(env['FOLDWISE_IDENTITY'] ? { FOLDWISE_IDENTITY: `${env['FOLDWISE_IDENTITY']}-gpu${id}` } : {}),
  }));
}

/**
 * Starts the worker (the built `worker.js`, or `services/worker/src/main.ts` under tsx from sources) as a child process in its own process group, so a Ctrl-C in the
 * terminal reaches only the CLI, which forwards exactly one signal (the worker treats a second one as "exit now").
 * An IPC channel ties the child to this process: when the CLI is gone, even killed with SIGKILL, the worker sees the
 * channel close and shuts down as on SIGTERM.
 */
export function startWorkerChild(opts: WorkerChildOptions): WorkerChild {
  const env: NodeJS.ProcessEnv = { ...opts.env, FOLDWISE_POOL: opts.pool };
  if (opts.slots !== undefined) env['FOLDWISE_SLOTS'] = String(opts.slots);
  const command = workerCommand();
  const proc = spawn(process.execPath, command.args, {
    cwd: command.cwd,
    env,
    detached: true,
    stdio:
      opts.stdio === 'inherit' ? ['inherit', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  proc.channel?.unref();
  let out = '';
  let started = false;
  let onStarted: () => void = () => undefined;
  const collect = (d: Buffer): void => {
    out = (out + d.toString()).slice(-200_000);
    if (!started && out.includes('foldwise worker started')) {
      started = true;
      onStarted();
    }
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  const exited = new Promise<number>((ok) =>
    proc.once('exit', (code, signal) =>
      ok(code ?? (signal === 'SIGKILL' ? 137 : signal === 'SIGINT' ? 130 : 143)),
    ),
  );
  const ready = new Promise<void>((ok, fail) => {
    onStarted = ok;
    if (opts.stdio === 'inherit') ok();
    void exited.then((code) =>
      fail(new Error(`worker exited with ${code} before it started:\n${out.slice(-3000)}`)),
    );
  });
  ready.catch(() => undefined);
  return {
    proc,
    ready,
    exited,
    output: () => out,
    async stop(graceMs = 30_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

/** How recently a poller must have polled to count as alive (a long poll lasts up to a minute). */
export const POLLER_FRESH_MS = 75_000;

/** Whether some worker polls both the control queue (workflows) and the pool's queue (training activities). */
export async function workersPolling(
  client: Client,
  pool: 'cpu' | 'gpu',
  now = Date.now(),
): Promise<boolean> {
  const fresh = async (name: string, type: 1 | 2): Promise<boolean> => {
    const r = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name, kind: 1 },
      taskQueueType: type,
    });
    return (r.pollers ?? []).some((p) => {
      const t = p.lastAccessTime;
      const ms = t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
      return now - ms < POLLER_FRESH_MS;
    });
  };
  const [control, training] = await Promise.all([fresh(TaskQueue.Control, 1), fresh(poolTaskQueue(pool), 2)]);
  return control && training;
}
