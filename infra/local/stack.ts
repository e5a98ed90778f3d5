import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBinaries, findNatsServer } from './binaries';
import {
  ServiceName,
  StackConfigError,
  parseStackConfig,
  searchAttributeTypes,
  stackEnvSchema,
  type StackConfig,
  type StackEnv,
} from './config';
import { type Probe, probeJetStream, probeMongo, probeTemporal } from './health';
import {
  type LaunchRecord,
  clearLaunch,
  isRunning,
  launch,
  portIsFree,
  readLaunch,
  tail,
  terminate,
  withLock,
  writeLaunch,
} from './processes';

/** Options shared by the stack's operations. */
export interface StackOptions {
  /** Folder whose `.cache/` holds binaries, data, logs and pid files (default `stackRoot(env)`). */
  root?: string;
  /** Environment to read FOLDWISE_* and NATS_URL from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Receives one line per step (default: silent). */
  log?: (line: string) => void;
  /** How long to wait for a service to answer (default 120 s). */
  timeoutMs?: number;
}

/** How a service stands. */
export const ServiceState = {
  Running: 'running',
  Stopped: 'stopped',
  Unhealthy: 'unhealthy',
  External: 'external',
} as const;

/** How a service stands. */
export type ServiceState = (typeof ServiceState)[keyof typeof ServiceState];

/** One service's state as `status()` sees it. */
export interface ServiceStatus {
  name: ServiceName;
  state: ServiceState;
  url: string;
  pid?: number;
  log?: string;
  reason?: string;
}

/** The whole stack's state; `env` is absent when the stack has not been brought up. */
export interface StackStatus {
  env?: StackEnv;
  envFile: string;
  services: ServiceStatus[];
}

/** Where the stack keeps its files under its root (see `stackRoot`). */
export function stackPaths(root: string = stackRoot()) {
  const dir = join(root, '.cache', 'stack');
  return {
    dir,
    envFile: join(dir, 'env.json'),
    runDir: join(dir, 'run'),
    logDir: join(dir, 'logs'),
    lock: join(dir, 'stack.lock'),
    temporalDb: join(dir, 'temporal.db'),
    ferretDir: join(dir, 'ferretdb'),
    ferretState: join(dir, 'ferretdb-state'),
    natsDir: join(dir, 'nats'),
  };
}

/**
 * The folder whose `.cache/` holds the stack's binaries and state: `FOLDWISE_HOME`, else the repository when running
 * from its sources, else `~/.foldwise` (an installed `foldwise`).
 */
export function stackRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env['FOLDWISE_HOME']) return resolve(env['FOLDWISE_HOME']);
  return __filename.endsWith('.ts') ? resolve(__dirname, '..', '..') : join(homedir(), '.foldwise');
}

const portVariable: Record<ServiceName, string> = {
  temporal: 'FOLDWISE_TEMPORAL_PORT',
  ferretdb: 'FOLDWISE_MONGO_PORT',
  nats: 'FOLDWISE_NATS_PORT',
};

interface ServiceSpec {
  name: ServiceName;
  bin: string;
  args: string[];
  port: number;
  url: string;
}

const namespace = 'default';

function temporalSpec(bin: string, cfg: StackConfig, root: string): ServiceSpec {
  const p = stackPaths(root);
  const attrs = Object.entries(searchAttributeTypes).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]);
  return {
    name: 'temporal',
    bin,
    port: cfg.temporalPort,
    url: `127.0.0.1:${cfg.temporalPort}`,
    args: [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(cfg.temporalPort),
      '--ui-port',
      String(cfg.temporalUiPort),
      '--db-filename',
      p.temporalDb,
      '--namespace',
      namespace,
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
      ...attrs,
    ],
  };
}

function ferretSpec(bin: string, cfg: StackConfig, root: string): ServiceSpec {
  const p = stackPaths(root);
  return {
    name: 'ferretdb',
    bin,
    port: cfg.mongoPort,
    url: `mongodb://127.0.0.1:${cfg.mongoPort}/`,
    args: [
      '--handler=sqlite',
      `--sqlite-url=file:${p.ferretDir}/`,
      `--listen-addr=127.0.0.1:${cfg.mongoPort}`,
      `--state-dir=${p.ferretState}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
    ],
  };
}

function natsSpec(bin: string, port: number, root: string): ServiceSpec {
  return {
    name: 'nats',
    bin,
    port,
    url: `nats://127.0.0.1:${port}`,
    args: ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', stackPaths(root).natsDir],
  };
}

function probeFor(name: ServiceName, url: string): () => Promise<Probe> {
  switch (name) {
    case 'temporal':
      return () => probeTemporal(url, namespace);
    case 'ferretdb':
      return () => probeMongo(url);
    case 'nats':
      return () => probeJetStream(url);
  }
}

function urlOf(rec: LaunchRecord, name: ServiceName): string {
  return name === 'temporal'
    ? `127.0.0.1:${rec.port}`
    : name === 'ferretdb'
      ? `mongodb://127.0.0.1:${rec.port}/`
      : `nats://127.0.0.1:${rec.port}`;
}

const launchFile = (root: string, name: ServiceName): string => join(stackPaths(root).runDir, `${name}.json`);

async function waitHealthy(
  name: ServiceName,
  url: string,
  timeoutMs: number,
  exited: () => string | undefined,
  log: string,
): Promise<void> {
  const probe = probeFor(name, url);
  const deadline = Date.now() + timeoutMs;
  let last: Probe = { ok: false, reason: 'not probed' };
  while (Date.now() < deadline) {
    last = await probe();
    if (last.ok) return;
    const gone = exited();
    if (gone) throw new Error(`${name}: exited while starting (${gone}); log ${log}:\n${tail(log)}`);
    await sleep(250);
  }
  throw new Error(
    `${name}: did not answer at ${url} within ${timeoutMs / 1000}s (${last.ok ? '' : last.reason}); log ${log}:\n${tail(log)}`,
  );
}

async function ensureRunning(
  spec: ServiceSpec,
  root: string,
  timeoutMs: number,
): Promise<{ pid: number; started: boolean; log: string }> {
  const file = launchFile(root, spec.name);
  const rec = readLaunch(file);
  if (rec && isRunning(rec.pid, rec.bin)) {
    if (rec.port !== spec.port) {
      throw new StackConfigError(
        `${portVariable[spec.name]}: ${spec.name} already runs on port ${rec.port} (pid ${rec.pid}), not ${spec.port}; run \`npm run stack:down\` first`,
      );
    }
    await waitHealthy(
      spec.name,
      spec.url,
      timeoutMs,
      () => (isRunning(rec.pid, rec.bin) ? undefined : 'gone'),
      rec.log,
    );
    return { pid: rec.pid, started: false, log: rec.log };
  }
  return start(spec, root, timeoutMs);
}

async function start(
  spec: ServiceSpec,
  root: string,
  timeoutMs: number,
): Promise<{ pid: number; started: boolean; log: string }> {
  const file = launchFile(root, spec.name);
  clearLaunch(file);
  if (!(await portIsFree(spec.port))) {
    throw new StackConfigError(
      `${portVariable[spec.name]}: port ${spec.port} on 127.0.0.1 is in use by another process`,
    );
  }
  const log = join(stackPaths(root).logDir, `${spec.name}.log`);
  const child = launch(spec.bin, spec.args, log, root);
  writeLaunch(file, {
    pid: child.pid,
    bin: spec.bin,
    args: spec.args,
    port: spec.port,
    log,
    startedAt: new Date().toISOString(),
  });
  try {
    await waitHealthy(spec.name, spec.url, timeoutMs, child.exited, log);
  } catch (err) {
    await terminate(child.pid, spec.bin).catch(() => undefined);
    clearLaunch(file);
    throw err;
  }
  return { pid: child.pid, started: true, log };
}

function writeEnvFile(file: string, env: StackEnv): void {
  const text = `${JSON.stringify(env, null, 2)}\n`;
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  writeFileSync(file, text);
}

/**
 * Brings the local stack up: builds the Go binaries once, starts (or finds running) Temporal, FerretDB and
 * NATS, waits until each answers, writes `.cache/stack/env.json` and returns it. Safe to call again.
 */
export async function up(opts: StackOptions = {}): Promise<StackEnv> {
  const root = opts.root ?? stackRoot(opts.env);
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const cfg = parseStackConfig(opts.env ?? process.env);
  const p = stackPaths(root);
  for (const d of [p.dir, p.ferretDir, p.ferretState, p.natsDir]) mkdirSync(d, { recursive: true });
  return withLock(p.lock, async () => {
    const bins = ensureBinaries(root, log);
    const natsUrl = await resolveNats(cfg, root, timeoutMs, log);
    const specs = [temporalSpec(bins.temporal, cfg, root), ferretSpec(bins.ferretdb, cfg, root)];
    const settled = await Promise.allSettled(specs.map((s) => ensureRunning(s, root, timeoutMs)));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    specs.forEach((s, i) => {
      const r = (settled[i] as PromiseFulfilledResult<{ pid: number; started: boolean; log: string }>).value;
      const extra = s.name === 'temporal' ? `  UI http://127.0.0.1:${cfg.temporalUiPort}` : '';
      log(
        `${s.name.padEnd(9)}${s.url.padEnd(30)}pid ${r.pid}, ${r.started ? 'started' : 'already running'}, log ${r.log}${extra}`,
      );
    });
    const env: StackEnv = {
      TEMPORAL_ADDRESS: `127.0.0.1:${cfg.temporalPort}`,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_UI_URL: `http://127.0.0.1:${cfg.temporalUiPort}`,
      MONGODB_URI: `mongodb://127.0.0.1:${cfg.mongoPort}/`,
      MONGODB_DB: 'foldwise',
      NATS_URL: natsUrl,
    };
    writeEnvFile(p.envFile, env);
    log(`env      ${p.envFile}`);
    return env;
  });
}

async function resolveNats(
  cfg: StackConfig,
  root: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<string> {
  const plan = cfg.nats;
  if (plan.mode === 'reuse') {
    const probe = await probeJetStream(plan.url);
    if (!probe.ok)
      throw new StackConfigError(
        `NATS_URL: no NATS server with JetStream answers at ${plan.url} (${probe.reason})`,
      );
    log(`${'nats'.padEnd(9)}${plan.url.padEnd(30)}reused (NATS_URL), not managed by the stack`);
    return plan.url;
  }
  const own = readLaunch(launchFile(root, 'nats'));
  const ownRunning = own !== undefined && isRunning(own.pid, own.bin);
  if (plan.mode === 'reuse-or-own' && !ownRunning) {
    const probe = await probeJetStream(plan.url);
    if (probe.ok) {
      log(
        `${'nats'.padEnd(9)}${plan.url.padEnd(30)}reused (answers with JetStream), not managed by the stack`,
      );
      return plan.url;
    }
  }
  const spec = natsSpec(findNatsServer(), plan.port, root);
  const r = await ensureRunning(spec, root, timeoutMs);
  log(
    `${'nats'.padEnd(9)}${spec.url.padEnd(30)}pid ${r.pid}, ${r.started ? 'started' : 'already running'}, log ${r.log}`,
  );
  return spec.url;
}

/** Stops every service the stack started (never a NATS server it reused) and removes env.json. */
export async function down(opts: StackOptions = {}): Promise<ServiceName[]> {
  const root = opts.root ?? stackRoot(opts.env);
  const log = opts.log ?? (() => {});
  const p = stackPaths(root);
  return withLock(p.lock, async () => {
    const stopped: ServiceName[] = [];
    for (const name of Object.values(ServiceName)) {
      if (await stopOne(name, root)) {
        stopped.push(name);
        log(`${name.padEnd(9)}stopped`);
      }
    }
    rmSync(p.envFile, { force: true });
    if (stopped.length === 0) log('nothing was running');
    return stopped;
  });
}

async function stopOne(name: ServiceName, root: string): Promise<boolean> {
  const file = launchFile(root, name);
  const rec = readLaunch(file);
  if (!rec) return false;
  const wasRunning = isRunning(rec.pid, rec.bin);
  await terminate(rec.pid, rec.bin);
  clearLaunch(file);
  return wasRunning;
}

/** Reports each service: running and answering, unhealthy, stopped, or external (a reused NATS). */
export async function status(opts: StackOptions = {}): Promise<StackStatus> {
  const root = opts.root ?? stackRoot(opts.env);
  const p = stackPaths(root);
  const env = readEnv(p.envFile);
  const services = await Promise.all(
    Object.values(ServiceName).map(async (name): Promise<ServiceStatus> => {
      const rec = readLaunch(launchFile(root, name));
      if (rec && isRunning(rec.pid, rec.bin)) {
        const url = urlOf(rec, name);
        const probe = await probeFor(name, url)();
        return probe.ok
          ? { name, state: ServiceState.Running, url, pid: rec.pid, log: rec.log }
          : { name, state: ServiceState.Unhealthy, url, pid: rec.pid, log: rec.log, reason: probe.reason };
      }
      if (name === 'nats' && env) {
        const probe = await probeJetStream(env.NATS_URL);
        return probe.ok
          ? { name, state: ServiceState.External, url: env.NATS_URL }
          : { name, state: ServiceState.Unhealthy, url: env.NATS_URL, reason: probe.reason };
      }
      return { name, state: ServiceState.Stopped, url: rec ? urlOf(rec, name) : '' };
    }),
  );
  return env ? { env, envFile: p.envFile, services } : { envFile: p.envFile, services };
}

/** Stops one service the stack started, keeping its data; throws for a NATS server the stack only reused. */
export async function stopService(name: ServiceName, opts: StackOptions = {}): Promise<void> {
  const root = opts.root ?? stackRoot(opts.env);
  const rec = readLaunch(launchFile(root, name));
  if (!rec) {
    if (name === 'nats') {
      throw new Error(
        'nats: the stack did not start this NATS server (it reused one), so it will not stop it; set FOLDWISE_NATS_PORT to run an own one',
      );
    }
    throw new Error(`${name}: the stack has no record of starting it; run \`npm run stack:up\` first`);
  }
  await terminate(rec.pid, rec.bin);
}

/** Starts a service again with the same binary, arguments, port and data as before; waits until it answers. */
export async function startService(name: ServiceName, opts: StackOptions = {}): Promise<void> {
  const root = opts.root ?? stackRoot(opts.env);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const rec = readLaunch(launchFile(root, name));
  if (!rec) {
    throw new Error(
      `${name}: the stack has no record of starting it; run \`npm run stack:up\` (or stopService only what it started)`,
    );
  }
  const spec: ServiceSpec = { name, bin: rec.bin, args: rec.args, port: rec.port, url: urlOf(rec, name) };
  if (isRunning(rec.pid, rec.bin)) {
    await waitHealthy(
      name,
      spec.url,
      timeoutMs,
      () => (isRunning(rec.pid, rec.bin) ? undefined : 'gone'),
      rec.log,
    );
    return;
  }
  await start(spec, root, timeoutMs);
}

function readEnv(file: string): StackEnv | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = stackEnvSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** Reads the running stack's env.json (at FOLDWISE_STACK_ENV, else `.cache/stack/env.json`). */
export function loadStackEnv(opts: Pick<StackOptions, 'root' | 'env'> = {}): StackEnv {
  const env = opts.env ?? process.env;
  const file = env.FOLDWISE_STACK_ENV || stackPaths(opts.root ?? stackRoot(opts.env)).envFile;
  if (!existsSync(file)) throw new Error(`${file}: no stack environment; run \`npm run stack:up\``);
  const parsed = stackEnvSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
