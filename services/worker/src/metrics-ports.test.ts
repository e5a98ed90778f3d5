import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { serveMetrics } from '@foldwise/telemetry';
import { MetricsPortTaken, claimMetricsPorts } from './metrics-ports';

const listen = (port: number): Promise<Server> =>
  new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(port, '127.0.0.1', () => ok(srv));
  });
const portOf = (srv: Server): number => (srv.address() as { port: number }).port;
const close = (srv: Server): Promise<void> => new Promise((ok) => srv.close(() => ok()));

/** A base port whose next 7 ports are free now. */
const freeRun = async (): Promise<number> => {
  for (;;) {
    const probe = await listen(0);
    const base = portOf(probe);
    await close(probe);
    if (base > 65000) continue;
    const held: Server[] = [];
    try {
      for (let p = base; p < base + 8; p++) held.push(await listen(p));
      return base;
    } catch {
      continue;
    } finally {
      await Promise.all(held.map(close));
    }
  }
};

/** A stand-in for Temporal Core's exporter: like `Runtime.install`, throws at once when the port is taken. */
const fakeCore = (taken: number[] = []) => {
  const ports: number[] = [];
  const bindCore = (port: number): void => {
    if (taken.includes(port) || ports.includes(port)) {
      throw new Error('Failed to start prometheus metrics exporter: Address already in use (os error 98)');
    }
    ports.push(port);
  };
  return { bindCore, ports };
};

test('a taken FOLDWISE_METRICS_PORT that the user set fails with one line naming FOLDWISE_METRICS_PORT and the port', async () => {
  const base = await freeRun();
  const squatter = await listen(base);
  try {
    await assert.rejects(
      claimMetricsPorts({ port: base, host: '127.0.0.1', fixed: true, bindCore: fakeCore().bindCore }),
      (e: unknown) =>
        e instanceof MetricsPortTaken &&
        !e.message.includes('\n') &&
        e.message.startsWith(`FOLDWISE_METRICS_PORT: 127.0.0.1:${base} is already in use`),
    );
  } finally {
    await close(squatter);
  }
});

test("a taken FOLDWISE_METRICS_PORT + 1 (Temporal Core's) that the user set fails naming FOLDWISE_METRICS_PORT and frees the first port", async () => {
  const base = await freeRun();
  await assert.rejects(
    claimMetricsPorts({
      port: base,
      host: '127.0.0.1',
      fixed: true,
      bindCore: fakeCore([base + 1]).bindCore,
    }),
    (e: unknown) =>
      e instanceof MetricsPortTaken &&
      e.message.startsWith(
        `FOLDWISE_METRICS_PORT: 127.0.0.1:${base + 1} (FOLDWISE_METRICS_PORT + 1, Temporal Core's metrics)`,
      ),
  );
  await close(await listen(base));
});

test('unset FOLDWISE_METRICS_PORT: taken pairs are skipped two ports at a time, the metrics port held until served', async () => {
  const base = await freeRun();
  const core = fakeCore([base + 1]);
  const ports = await claimMetricsPorts({
    port: base,
    host: '127.0.0.1',
    fixed: false,
    bindCore: core.bindCore,
  });
  assert.deepEqual([ports.metrics, ports.core, ports.moved], [base + 2, base + 3, true]);
  assert.deepEqual(core.ports, [base + 3]);
  await assert.rejects(listen(base + 2), /EADDRINUSE/, 'the metrics port is held until it is served');
  await close(await listen(base));
  const served = await serveMetrics({ port: ports.metrics, registry: new Registry() });
  assert.equal(served.port, base + 2);
  assert.equal((await fetch(`${served.url}/healthz`)).status, 200);
  await served.close();
  await ports.release();
});

test('workers claiming from the same FOLDWISE_METRICS_PORT at once get different pairs', async () => {
  const base = await freeRun();
  const core = fakeCore();
  const claims = await Promise.all(
    [0, 1, 2].map(() =>
      claimMetricsPorts({ port: base, host: '127.0.0.1', fixed: false, bindCore: core.bindCore }),
    ),
  );
  assert.deepEqual(claims.map((c) => c.metrics).sort(), [base, base + 2, base + 4]);
  assert.deepEqual(core.ports.sort(), [base + 1, base + 3, base + 5]);
  await Promise.all(claims.map((c) => c.release()));
});

test('FOLDWISE_METRICS_PORT=0 claims nothing: any port for /metrics, no Temporal Core exporter', async () => {
  const core = fakeCore();
  const ports = await claimMetricsPorts({ port: 0, host: '127.0.0.1', fixed: true, bindCore: core.bindCore });
  assert.deepEqual([ports.metrics, ports.core, core.ports], [0, 0, []]);
});
