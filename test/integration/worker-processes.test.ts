import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stackEnv } from '../support/stack';
import { freePort } from '../support/workers';

const root = resolve(__dirname, '..', '..');
const workerMain = join(root, 'services', 'worker', 'src', 'main.ts');
const cliBin = join(root, 'services', 'cli', 'bin', 'foldwise.js');
const STARTED = 'foldwise worker started';

interface Proc {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Resolves with the "foldwise worker started" log line; rejects if the process exits first or after `ms`. */
  started(ms?: number): Promise<string>;
}

/**
 * The environment of a worker under test: the stack's connection under foldwise's current variable names (so the
 * worker prints no deprecation notice), no `FOLDWISE_METRICS_PORT` unless given, and no control queue, so these
 * short-lived workers never hold another test's workflows in their cache.
 */
const workerEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const { MONGODB_DB, ...stack } = stackEnv();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...stack,
    FOLDWISE_MONGODB_DB: MONGODB_DB,
    FOLDWISE_SLOTS: '1',
    FOLDWISE_CONTROL: 'false',
    FOLDWISE_SHUTDOWN_GRACE: '5s',
    FOLDWISE_LOG_LEVEL: 'info',
  };
  for (const old of ['METRICS_PORT', 'METRICS_HOST', 'MONGODB_DB', 'LOG_LEVEL', 'FASHION_MNIST_DIR'])
    delete env[old];
  delete env['FOLDWISE_METRICS_PORT'];
  delete env['FOLDWISE_IDENTITY'];
  return { ...env, ...extra };
};

const launch = (args: string[], env: NodeJS.ProcessEnv): Proc => {
  const proc = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  const started = (ms = 180_000): Promise<string> =>
    new Promise((ok, fail) => {
      const deadline = Date.now() + ms;
      const timer = setInterval(() => {
        const line = out.split('\n').find((l) => l.includes(STARTED));
        if (line !== undefined) {
          clearInterval(timer);
          ok(line);
        } else if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
          clearInterval(timer);
          fail(new Error(`no "${STARTED}" (exit ${proc.exitCode ?? proc.signalCode}):\n${out.slice(-3000)}`));
        }
      }, 100);
    });
  return { proc, output: () => out, exited, started };
};

const startWorker = (extra: Record<string, string> = {}): Proc =>
  launch(['--import', 'tsx', workerMain], workerEnv(extra));

/** Stops a process this test started: SIGTERM, SIGKILL after `graceMs`. */
const stop = async (p: Proc, graceMs = 15_000): Promise<void> => {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill('SIGTERM');
  const t = setTimeout(() => p.proc.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(t);
};

/** Whether a process id names a live process (an unreaped zombie counts as gone). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const hold = (port: number): Promise<Server> =>
  new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(port, '127.0.0.1', () => ok(srv));
  });

const close = (srv: Server): Promise<void> => new Promise((ok) => srv.close(() => ok()));

test('two workers started at once on one host both start and serve /metrics on different ports', async () => {
  const a = startWorker();
  const b = startWorker();
  try {
    const lines = await Promise.all([a.started(), b.started()]);
    const urls = lines.map((l) => (JSON.parse(l) as { metrics: string }).metrics);
    const cores = lines.map((l) => (JSON.parse(l) as { coreMetricsPort: number }).coreMetricsPort);
    assert.notEqual(urls[0], urls[1]);
    assert.notEqual(cores[0], cores[1]);
    for (const url of urls) {
      const res = await fetch(`${url}/metrics`);
      assert.equal(res.status, 200, url);
      assert.match(await res.text(), /^foldwise_slots\{pool="cpu"\} 1$/m, url);
    }
    for (const port of cores) {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200, `Temporal Core's metrics on ${port}`);
    }
  } finally {
    await Promise.all([stop(a), stop(b)]);
  }
});

test('a worker whose FOLDWISE_METRICS_PORT is set and taken exits 2 with one line naming FOLDWISE_METRICS_PORT', async () => {
  const port = await freePort();
  for (const taken of [port, port + 1]) {
    const squatter = await hold(taken);
    try {
      const w = startWorker({ FOLDWISE_METRICS_PORT: String(port) });
      const code = await Promise.race([
        w.exited,
        new Promise<'running'>((ok) => setTimeout(() => ok('running'), 120_000).unref()),
      ]);
      if (code === 'running') await stop(w);
      const lines = w.output().trim().split('\n');
      assert.equal(code, 2, w.output());
      assert.equal(lines.length, 1, w.output());
      assert.match(
        lines[0] ?? '',
        new RegExp(`^FOLDWISE_METRICS_PORT: .*127\\.0\\.0\\.1:${taken}\\b.*in use`),
      );
    } finally {
      await close(squatter);
    }
  }
});

test('foldwise worker killed with SIGKILL: its worker child shuts down within seconds', async () => {
  const cli = launch([cliBin, 'worker', '--pool', 'cpu', '--slots', '1'], workerEnv());
  let childPid: number | undefined;
  try {
    const line = await cli.started();
    childPid = Number(/"identity":"[^"]*:(\d+)"/.exec(line)?.[1]);
    assert.ok(Number.isInteger(childPid) && childPid !== cli.proc.pid, line);
    assert.ok(alive(childPid), 'the worker child runs');
    cli.proc.kill('SIGKILL');
    await cli.exited;
    const deadline = Date.now() + 10_000;
    while (alive(childPid) && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
    assert.ok(!alive(childPid), `worker ${childPid} still runs 10 s after its CLI was killed`);
    assert.match(cli.output(), /the foldwise CLI that started this worker exited: finishing running folds/);
    assert.match(cli.output(), /"msg":"worker stopped"/);
  } finally {
    if (childPid !== undefined && alive(childPid)) process.kill(childPid, 'SIGKILL');
    await stop(cli);
  }
});

test('Ctrl-C on foldwise worker reaches the worker once, through the CLI, and both exit 0', async () => {
  const cli = launch([cliBin, 'worker', '--pool', 'cpu', '--slots', '1'], workerEnv());
  try {
    await cli.started();
    cli.proc.kill('SIGINT');
    const code = await Promise.race([
      cli.exited,
      new Promise<'running'>((ok) => setTimeout(() => ok('running'), 30_000).unref()),
    ]);
    assert.equal(code, 0, cli.output());
    assert.equal(cli.output().match(/received SIGINT: finishing running folds/g)?.length, 1, cli.output());
    assert.match(cli.output(), /"msg":"worker stopped"/);
  } finally {
    await stop(cli);
  }
});
