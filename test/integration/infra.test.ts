import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { metricNames } from '@foldwise/telemetry';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { stackEnv, startService, status, stopService } from '../support/stack';

const root = resolve(__dirname, '..', '..');
const cli = join(root, 'infra', 'local', 'cli.ts');
const dashboardFile = join(root, 'infra', 'grafana', 'dashboards', 'foldwise.json');
const composeEnv = {
  TEMPORAL_DB_PASSWORD: 'dummy-pg',
  MONGO_PASSWORD: 'dummy-mongo',
  GRAFANA_ADMIN_PASSWORD: 'dummy-grafana',
};

const sh = (cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', timeout: 300_000 });

const stackCli = (args: string[], env: NodeJS.ProcessEnv) =>
  sh(process.execPath, ['--import', 'tsx', cli, ...args], env);

function dashboardExprs(): string[] {
  const dash = JSON.parse(readFileSync(dashboardFile, 'utf8')) as {
    panels: Array<{ targets?: Array<{ expr?: string }> }>;
  };
  return dash.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => t.expr).filter((e): e is string => typeof e === 'string'),
  );
}

test('docker-compose accepts the production compose file when the required secrets are set, and names a missing one', () => {
  const ok = sh('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
    ...process.env,
    ...composeEnv,
  });
  assert.equal(ok.status, 0, ok.stderr);
  const { MONGO_PASSWORD: _omitted, ...withoutMongo } = composeEnv;
  const env: NodeJS.ProcessEnv = { ...process.env, ...withoutMongo };
  delete env.MONGO_PASSWORD;
  const missing = sh('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], env);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /MONGO_PASSWORD/);
});

test('promtool accepts the Prometheus configuration and the alerting rules, and the rules pass their unit tests', () => {
  for (const args of [
    ['check', 'config', 'infra/prometheus/prometheus.yml'],
    ['check', 'rules', 'infra/prometheus/foldwise.rules.yml'],
    ['test', 'rules', 'infra/prometheus/foldwise.rules.test.yml'],
  ]) {
    const r = sh('promtool', args);
    assert.equal(r.status, 0, `promtool ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  }
});

test('every query on the Grafana dashboard is valid PromQL', () => {
  const exprs = dashboardExprs();
  assert.ok(exprs.length > 0, 'the dashboard has no queries');
  const dir = mkdtempSync(join(tmpdir(), 'foldwise-dash-'));
  try {
    const rules = exprs.map((e, i) => ({
      record: `dashboard:query_${i}`,
      expr: e.replaceAll('$__rate_interval', '5m').replaceAll('$pool', '.*'),
    }));
    const file = join(dir, 'dashboard.rules.yml');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
    const r = sh('promtool', ['check', 'rules', file]);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every metric the Grafana dashboard queries is one that @foldwise/telemetry defines', () => {
  const used = new Set(
    dashboardExprs()
      .flatMap((e) => e.match(/\bfoldwise_[a-z0-9_]+\b/g) ?? [])
      .map((m) => m.replace(/_(bucket|sum|count)$/, '')),
  );
  assert.ok(used.size >= 8, `the dashboard queries only ${used.size} foldwise metrics`);
  const unknown = [...used].filter((m) => !metricNames.includes(m));
  assert.deepEqual(unknown, [], `queried but not defined: ${unknown.join(', ')}`);
});

test('stack:up run a second time finds the running services and changes nothing', async () => {
  const before = await status();
  assert.ok(before.env, 'the stack is not up: run npm run stack:up');
  const pids = before.services.map((s) => `${s.name}:${s.state}:${s.pid ?? '-'}`);
  assert.ok(
    before.services.every((s) => s.state === 'running' || s.state === 'external'),
    pids.join(' '),
  );
  const envMtime = statSync(before.envFile).mtimeMs;
  const r = stackCli(['up'], process.env);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /\bstarted\b/);
  const after = await status();
  assert.deepEqual(
    after.services.map((s) => `${s.name}:${s.state}:${s.pid ?? '-'}`),
    pids,
  );
  assert.equal(statSync(after.envFile).mtimeMs, envMtime);
});

test('the stack rejects a bad port or an unreachable NATS_URL before starting anything, naming the variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ FOLDWISE_TEMPORAL_PORT: 'abc' }, /FOLDWISE_TEMPORAL_PORT: must be a port number \(got "abc"\)/],
    [{ FOLDWISE_MONGO_PORT: '70000' }, /FOLDWISE_MONGO_PORT: must be between 1 and 65535/],
    [
      { NATS_URL: 'nats://127.0.0.1:1' },
      /NATS_URL: no NATS server with JetStream answers at nats:\/\/127\.0\.0\.1:1/,
    ],
  ];
  for (const [vars, message] of cases) {
    const r = stackCli(['up'], { ...process.env, FOLDWISE_NATS_PORT: '', ...vars });
    assert.equal(r.status, 2, `${JSON.stringify(vars)}: exit ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('FerretDB stopped with stopService and started again with startService keeps its port and its data', async () => {
  const env = stackEnv();
  const collection = `restart_${randomUUID().slice(0, 8)}`;
  const connectOnce = async <T>(fn: (c: MongoClient) => Promise<T>): Promise<T> => {
    const client = new MongoClient(env.MONGODB_URI, { serverSelectionTimeoutMS: 2000 });
    try {
      await client.connect();
      return await fn(client);
    } finally {
      await client.close();
    }
  };
  await connectOnce((c) =>
    c.db(env.MONGODB_DB).collection<{ _id: string; n: number }>(collection).insertOne({ _id: 'kept', n: 1 }),
  );
  const before = (await status()).services.find((s) => s.name === 'ferretdb');
  try {
    await stopService('ferretdb');
    const stopped = (await status()).services.find((s) => s.name === 'ferretdb');
    assert.equal(stopped?.state, 'stopped');
    await assert.rejects(connectOnce((c) => c.db('admin').command({ ping: 1 })));
  } finally {
    await startService('ferretdb');
  }
  const after = (await status()).services.find((s) => s.name === 'ferretdb');
  assert.equal(after?.state, 'running');
  assert.equal(after?.url, before?.url);
  assert.notEqual(after?.pid, before?.pid);
  const doc = await connectOnce(async (c) => {
    const found = await c.db(env.MONGODB_DB).collection(collection).findOne({});
    await c.db(env.MONGODB_DB).collection(collection).drop();
    return found;
  });
  assert.deepEqual(doc, { _id: 'kept', n: 1 });
});
