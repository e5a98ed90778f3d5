/**
 * A production-shaped Temporal for tests: the Temporal **server** (not the dev server) built from its Go module,
 * persisting to PostgreSQL through its SQL plugin, its schema applied by Temporal's own SQL tool, with the Temporal UI
 * server in front of it. Used by the multi-host rehearsal (test/rehearsal).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
// eslint-disable-next-line @nx/enforce-module-boundaries -- tests drive the local stack's probes
import { probeTemporal } from '../../infra/local/health';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above: the rehearsal's Go tools
import { searchAttributeTypes } from '../../infra/local/config';
import { freePort } from './workers';

/** Where PostgreSQL listens and who connects (trust authentication, as on the development and CI machines). */
export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
}

/** The local PostgreSQL of these machines: 127.0.0.1:5432, user postgres, trust. */
export const localPostgres: PostgresTarget = { host: '127.0.0.1', port: 5432, user: 'postgres' };

const taken = new Set<number>();

/**
 * A free port below 32768 on `host`: Temporal stores membership ports in a PostgreSQL smallint, so the ephemeral
 * ports `freePort` hands out (32768 and up) are refused there.
 */
async function freeLowPort(host: string): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((ok) => {
      const srv = createServer();
      srv.once('error', () => ok(false));
      srv.listen({ host, port, exclusive: true }, () => srv.close(() => ok(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port below 32768 on ${host}`);
}

/** Options of {@link startTemporalServer}. */
export interface TemporalServerOptions {
  /** Paths of temporal-server, temporal-sql-tool and temporal-ui-server. */
  bins: { server: string; sqlTool: string; uiServer: string };
  /** Scratch directory for configuration and logs. */
  dir: string;
  /** Address every service binds to and the frontend is reached at (a bridge address, so other hosts reach it). */
  host: string;
  postgres?: PostgresTarget;
  /** Prefix of the two databases it creates (`<prefix>_temporal`, `<prefix>_visibility`), dropped by `close()`. */
  dbPrefix: string;
  /** Temporal namespace to register, with foldwise's search attributes. */
  namespace?: string;
}

/** A running Temporal server on PostgreSQL with its UI. */
export interface TemporalServer {
  /** Frontend gRPC address, host:port. */
  address: string;
  namespace: string;
  /** The UI's base URL. */
  uiUrl: string;
  /** The two databases it persists to. */
  databases: [string, string];
  /** Milliseconds each schema step took (create, setup, update per database). */
  schemaMs: number;
  /** Stops the server process (SIGTERM, SIGKILL after 20 s); its data stays in PostgreSQL. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and databases and waits until the namespace answers. */
  start(): Promise<void>;
  /** Stops the UI and the server and drops both databases. */
  close(): Promise<void>;
}

interface Running {
  proc: ChildProcess;
  exited: Promise<void>;
}

const psql = (pg: PostgresTarget, sql: string) =>
  spawnSync('psql', ['-h', pg.host, '-p', String(pg.port), '-U', pg.user, '-d', 'postgres', '-tAc', sql], {
    encoding: 'utf8',
  });

/**
 * Drops the databases `<prefix><pid>_…` whose creating process (`pid`) is gone: what a killed earlier run left behind.
 */
export function dropStaleDatabases(prefix: string, pg: PostgresTarget = localPostgres): string[] {
  const names = psql(pg, `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`).stdout.split(
    '\n',
  );
  const dropped: string[] = [];
  for (const name of names.map((n) => n.trim()).filter(Boolean)) {
    const pid = Number(/^(\d+)_/.exec(name.slice(prefix.length))?.[1] ?? NaN);
    if (!Number.isInteger(pid)) continue;
    try {
      process.kill(pid, 0);
      continue;
    } catch {
      psql(pg, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      dropped.push(name);
    }
  }
  return dropped;
}

/** Whether PostgreSQL answers at the target. */
export function postgresAnswers(pg: PostgresTarget = localPostgres): boolean {
  return psql(pg, 'select 1').status === 0;
}

function sqlTool(bin: string, pg: PostgresTarget, db: string, args: string[]): void {
  const r = spawnSync(
    bin,
    ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--db', db, ...args],
    { encoding: 'utf8' },
  );
  if (r.status !== 0)
    throw new Error(
      `temporal-sql-tool --db ${db} ${args.join(' ')}: exit ${r.status}\n${r.stderr.slice(-2000)}`,
    );
}

/** The server's static configuration: every service bound to `host`, persistence in the two PostgreSQL databases. */
function serverConfig(o: {
  host: string;
  pg: PostgresTarget;
  dbs: [string, string];
  ports: Record<'frontend' | 'frontendHttp' | 'history' | 'matching' | 'worker', number>;
  membership: Record<'frontend' | 'history' | 'matching' | 'worker', number>;
  metricsPort: number;
  dynamicConfig: string;
}): string {
  const store = (db: string, conns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${db}
        connectAddr: "${o.pg.host}:${o.pg.port}"
        connectProtocol: tcp
        user: ${o.pg.user}
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const service = (name: 'frontend' | 'history' | 'matching' | 'worker') => `
  ${name}:
    rpc:
      grpcPort: ${o.ports[name]}
      membershipPort: ${o.membership[name]}
      bindOnIP: "${o.host}"${name === 'frontend' ? `\n      httpPort: ${o.ports.frontendHttp}` : ''}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:${store(o.dbs[0], 20)}
    visibility:${store(o.dbs[1], 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "${o.host}"
  metrics:
    prometheus:
      framework: tally
      timerType: histogram
      listenAddress: "127.0.0.1:${o.metricsPort}"
services:${service('frontend')}${service('history')}${service('matching')}${service('worker')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "${o.host}:${o.ports.frontend}"
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: "${o.dynamicConfig}"
  pollInterval: 10s
`;
}

/** Dynamic configuration: search attributes and namespaces visible at once (a test registers and then uses them). */
const dynamicConfig = `system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
`;

async function registerNamespace(address: string, namespace: string): Promise<void> {
  const conn = await Connection.connect({ address });
  try {
    try {
      await conn.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('1 day'),
      });
    } catch (err) {
      if (!/already exists/i.test((err as Error).message)) throw err;
    }
    const T = temporal.api.enums.v1.IndexedValueType;
    const types = { Keyword: T.INDEXED_VALUE_TYPE_KEYWORD, Double: T.INDEXED_VALUE_TYPE_DOUBLE };
    const wanted = Object.fromEntries(Object.entries(searchAttributeTypes).map(([k, t]) => [k, types[t]]));
    const have = (await conn.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    const missing = Object.fromEntries(Object.entries(wanted).filter(([k]) => !(k in have)));
    if (Object.keys(missing).length > 0)
      await conn.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } finally {
    await conn.close();
  }
}

/**
 * Creates the two databases and applies Temporal's schema with its SQL tool (create, setup-schema -v 0.0,
 * update-schema from the embedded versioned schema), starts the server and the UI on `host`, registers the namespace
 * and foldwise's search attributes, and waits until the namespace answers.
 */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  const pg = opts.postgres ?? localPostgres;
  const namespace = opts.namespace ?? 'default';
  const dbs: [string, string] = [`${opts.dbPrefix}_temporal`, `${opts.dbPrefix}_visibility`];
  mkdirSync(join(opts.dir, 'config'), { recursive: true });
  const t0 = Date.now();
  for (const [db, schema] of [
    [dbs[0], 'postgresql/v12/temporal'],
    [dbs[1], 'postgresql/v12/visibility'],
  ] as const) {
    psql(pg, `DROP DATABASE IF EXISTS "${db}"`);
    sqlTool(opts.bins.sqlTool, pg, db, ['create-database']);
    sqlTool(opts.bins.sqlTool, pg, db, ['setup-schema', '-v', '0.0']);
    sqlTool(opts.bins.sqlTool, pg, db, ['update-schema', '--schema-name', schema]);
  }
  const schemaMs = Date.now() - t0;
  const ports = {
    frontend: await freePort(),
    frontendHttp: await freePort(),
    history: await freePort(),
    matching: await freePort(),
    worker: await freePort(),
  };
  const membership = {
    frontend: await freeLowPort(opts.host),
    history: await freeLowPort(opts.host),
    matching: await freeLowPort(opts.host),
    worker: await freeLowPort(opts.host),
  };
  const uiPort = await freePort();
  const dynamicConfigFile = join(opts.dir, 'config', 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, dynamicConfig);
  writeFileSync(
    join(opts.dir, 'config', 'rehearsal.yaml'),
    serverConfig({
      host: opts.host,
      pg,
      dbs,
      ports,
      membership,
      metricsPort: await freePort(),
      dynamicConfig: dynamicConfigFile,
    }),
  );
  mkdirSync(join(opts.dir, 'ui', 'config'), { recursive: true });
  writeFileSync(
    join(opts.dir, 'ui', 'config', 'rehearsal.yaml'),
    `temporalGrpcAddress: "${opts.host}:${ports.frontend}"\nhost: 127.0.0.1\nport: ${uiPort}\nenableUi: true\ndefaultNamespace: ${namespace}\nhideLogs: true\ncors:\n  cookieInsecure: true\n`,
  );
  const address = `${opts.host}:${ports.frontend}`;
  const running = new Map<'server' | 'ui', Running>();
  const onExit = (): void => {
    for (const r of running.values()) r.proc.kill('SIGKILL');
    for (const db of dbs) psql(pg, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  };
  process.on('exit', onExit);
  const launch = (name: 'server' | 'ui', bin: string, args: string[], cwd: string): Running => {
    const log = openSync(join(opts.dir, `${name}.log`), 'a');
    const proc = spawn(bin, args, { cwd, stdio: ['ignore', log, log] });
    const r = { proc, exited: new Promise<void>((ok) => proc.once('exit', () => ok())) };
    running.set(name, r);
    return r;
  };
  const halt = async (name: 'server' | 'ui'): Promise<void> => {
    const r = running.get(name);
    if (!r) return;
    running.delete(name);
    if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
    r.proc.kill('SIGTERM');
    const t = setTimeout(() => r.proc.kill('SIGKILL'), 20_000);
    await r.exited;
    clearTimeout(t);
  };
  const waitUntil = async (what: string, check: () => Promise<boolean>, proc: ChildProcess, log: string) => {
    const deadline = Date.now() + 120_000;
    while (!(await check())) {
      if (proc.exitCode !== null)
        throw new Error(`${what} exited while starting:\n${readFileSync(log, 'utf8').slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${what} did not answer within 120 s`);
      await sleep(250);
    }
  };
  let registered = false;
  const start = async (): Promise<void> => {
    if (running.has('server')) return;
    const r = launch(
      'server',
      opts.bins.server,
      ['--root', opts.dir, '--config', 'config', '--env', 'rehearsal', 'start'],
      opts.dir,
    );
    await waitUntil(
      'temporal-server',
      async () => {
        if (!registered) {
          try {
            await registerNamespace(address, namespace);
            registered = true;
          } catch {
            return false;
          }
        }
        return (await probeTemporal(address, namespace)).ok;
      },
      r.proc,
      join(opts.dir, 'server.log'),
    );
  };
  try {
    await start();
    const ui = launch(
      'ui',
      opts.bins.uiServer,
      ['--root', join(opts.dir, 'ui'), '--config', 'config', '--env', 'rehearsal', 'start'],
      opts.dir,
    );
    await waitUntil(
      'temporal-ui-server',
      async () => (await fetch(`http://127.0.0.1:${uiPort}/`).catch(() => undefined))?.ok === true,
      ui.proc,
      join(opts.dir, 'ui.log'),
    );
  } catch (err) {
    await halt('ui');
    await halt('server');
    for (const db of dbs) psql(pg, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    process.off('exit', onExit);
    throw err;
  }
  return {
    address,
    namespace,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    databases: dbs,
    schemaMs,
    stop: () => halt('server'),
    start,
    async close() {
      await halt('ui');
      await halt('server');
      for (const db of dbs) psql(pg, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      process.off('exit', onExit);
    },
  };
}
