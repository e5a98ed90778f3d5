import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { createTelemetry, metricNames, reserveMetricsPort, serveMetrics, type Health } from './index';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

const exercise = (pool: string, registry?: Registry) => {
  const t = createTelemetry(registry ? { pool, registry } : { pool });
  t.setSlots(4);
  t.setBackend('wasm');
  t.foldStarted('mlp');
  t.epochsTrained('mlp', 1, 120);
  t.epochsTrained('mlp', 2, 240);
  t.foldFinished('mlp', 'completed', 3.2);
  t.foldStarted('mlp');
  t.foldRetried();
  t.foldFinished('mlp', 'failed', 0.05);
  t.trialFinished('completed');
  t.bestScore('s1', 'accuracy', 0.93);
  return t;
};

const sample = async (
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> => {
  const metric = registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  const hit = values.find((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val));
  return hit?.value;
};

void test('every foldwise metric appears in the exposition after use, beside the default process and Node.js metrics under their standard names', async () => {
  const t = exercise('cpu');
  const text = await t.metrics();
  for (const name of metricNames) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  assert.equal(metricNames.length, 10);
  assert.match(text, /^# TYPE process_cpu_seconds_total counter$/m);
  assert.match(text, /^process_cpu_seconds_total \S+$/m);
  assert.match(text, /^process_resident_memory_bytes \d+$/m);
  assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  assert.doesNotMatch(text, /^foldwise_(process|nodejs)_/m);
  assert.match(text, /^foldwise_fold_duration_seconds_bucket\{le="0.1",pool="cpu",model="mlp"\} 1$/m);
  assert.match(text, /^foldwise_fold_duration_seconds_bucket\{le="3600",pool="cpu",model="mlp"\} 2$/m);
});

void test('the helpers move the counters and gauges they name', async () => {
  const t = exercise('gpu');
  const r = t.registry;
  assert.equal(await sample(r, 'foldwise_folds_total', { pool: 'gpu', outcome: 'completed' }), 1);
  assert.equal(await sample(r, 'foldwise_folds_total', { pool: 'gpu', outcome: 'failed' }), 1);
  assert.equal(await sample(r, 'foldwise_epochs_trained_total', { pool: 'gpu', model: 'mlp' }), 3);
  assert.equal(await sample(r, 'foldwise_samples_trained_total', { pool: 'gpu', model: 'mlp' }), 360);
  assert.equal(await sample(r, 'foldwise_active_folds', { pool: 'gpu' }), 0);
  assert.equal(await sample(r, 'foldwise_slots', { pool: 'gpu' }), 4);
  assert.equal(await sample(r, 'foldwise_fold_retries_total', { pool: 'gpu' }), 1);
  assert.equal(await sample(r, 'foldwise_trials_total', { outcome: 'completed' }), 1);
  assert.equal(await sample(r, 'foldwise_search_best_score', { search_id: 's1', metric: 'accuracy' }), 0.93);
  t.setBackend('tensorflow');
  assert.equal(await sample(r, 'foldwise_backend_info', { pool: 'gpu', backend: 'tensorflow' }), 1);
  assert.equal(await sample(r, 'foldwise_backend_info', { pool: 'gpu', backend: 'wasm' }), undefined);
  t.clearSearch('s1');
  assert.equal(
    await sample(r, 'foldwise_search_best_score', { search_id: 's1', metric: 'accuracy' }),
    undefined,
  );
});

void test('two pools share one registry without redefining metrics', async () => {
  const registry = new Registry();
  exercise('cpu', registry);
  exercise('gpu', registry);
  assert.equal(await sample(registry, 'foldwise_folds_total', { pool: 'cpu', outcome: 'completed' }), 1);
  assert.equal(await sample(registry, 'foldwise_folds_total', { pool: 'gpu', outcome: 'completed' }), 1);
  assert.equal(await sample(registry, 'foldwise_trials_total', { outcome: 'completed' }), 2);
});

void test('bad arguments are refused with their names', () => {
  const t = createTelemetry({ pool: 'cpu', defaultMetrics: false });
  assert.throws(() => t.foldFinished('mlp', 'done' as 'completed', 1), /outcome must be one of/);
  assert.throws(() => t.foldFinished('mlp', 'completed', -1), /seconds must be/);
  assert.throws(() => t.epochsTrained('mlp', Number.NaN, 1), /epochs must be/);
  assert.throws(() => t.bestScore('s', 'm', Number.POSITIVE_INFINITY), /score must be finite/);
  assert.throws(() => createTelemetry({ pool: '' }), /pool must be/);
});

void test('the metrics endpoint serves the registry plus extra text, health, and 404 elsewhere', async () => {
  const t = exercise('cpu');
  const server = await serveMetrics({
    port: 0,
    registry: t.registry,
    extra: async () =>
      '# HELP temporal_worker_task_slots_available x\n# TYPE temporal_worker_task_slots_available gauge\ntemporal_worker_task_slots_available 3',
  });
  const failing = await serveMetrics({
    port: 0,
    registry: t.registry,
    extra: () => Promise.reject(new Error('core endpoint down')),
  });
  try {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const body = await res.text();
    assert.match(body, /^foldwise_slots\{pool="cpu"\} 4$/m);
    assert.match(body, /^temporal_worker_task_slots_available 3\n$/m);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/nope`)).status, 404);
    const degraded = await (await fetch(`${failing.url}/metrics`)).text();
    assert.match(degraded, /^# foldwise: extra metrics unavailable: core endpoint down$/m);
    assert.match(degraded, /^foldwise_slots\{pool="cpu"\} 4$/m);
    if (hasPromtool) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
      const problems = `${check.stdout}${check.stderr}`.split('\n').filter((l) => l.trim() !== '');
      const ours = problems.filter((l) => !/^nodejs_active_\w+_total non-counter/.test(l));
      assert.deepEqual(ours, [], 'promtool lint problems outside prom-client default metrics');
    }
  } finally {
    await server.close();
    await failing.close();
  }
});

void test('a reserved port is held (503 until served, taken for everyone else) and serveMetrics takes it over', async () => {
  const t = exercise('cpu');
  const held = await reserveMetricsPort({ port: 0 });
  try {
    assert.equal((await fetch(`http://127.0.0.1:${held.port}/metrics`)).status, 503);
    await assert.rejects(reserveMetricsPort({ port: held.port }), { code: 'EADDRINUSE' });
    const server = await serveMetrics({ port: held.port, registry: t.registry });
    try {
      assert.equal(server.port, held.port);
      const body = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(body, /^foldwise_slots\{pool="cpu"\} 4$/m);
      await held.release();
      assert.equal(
        (await fetch(`${server.url}/healthz`)).status,
        200,
        'release after the take-over is a no-op',
      );
    } finally {
      await server.close();
    }
    const again = await reserveMetricsPort({ port: held.port });
    await again.release();
    const other = await serveMetrics({ port: held.port, registry: t.registry });
    await other.close();
  } finally {
    await held.release();
  }
});

void test('/healthz answers 503 with the reason while the health check says unhealthy, 200 once healthy', async () => {
  const t = exercise('cpu');
  let state: Health = { ok: false, reason: 'starting: Temporal workers not polling yet' };
  const server = await serveMetrics({ port: 0, registry: t.registry, health: () => state });
  const broken = await serveMetrics({
    port: 0,
    registry: t.registry,
    health: () => {
      throw new Error('boom');
    },
  });
  try {
    const starting = await fetch(`${server.url}/healthz`);
    assert.equal(starting.status, 503);
    assert.equal(await starting.text(), 'starting: Temporal workers not polling yet\n');
    assert.equal(
      (await fetch(`${server.url}/metrics`)).status,
      200,
      'metrics are served whatever the health',
    );
    state = { ok: true };
    const ok = await fetch(`${server.url}/healthz`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'ok\n');
    const failed = await fetch(`${broken.url}/healthz`);
    assert.equal(failed.status, 503);
    assert.match(await failed.text(), /^health check failed: Error: boom$/m);
  } finally {
    await server.close();
    await broken.close();
  }
});
