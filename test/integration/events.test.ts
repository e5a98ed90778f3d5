import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as natsConnect, JSONCodec } from 'nats';
import {
  connectEvents,
  connectEventsLazily,
  silentLogger,
  type EventsConnection,
  type EventsLogger,
} from '@foldwise/events';
import { EventKind, eventSubject, type FoldwiseEvent } from '@foldwise/spec';
import { stackEnv } from '../support/stack';

const ts = (): string => new Date().toISOString();
const newSearchId = (tag: string): string => `evt-${tag}-${randomBytes(4).toString('hex')}`;

const script = (searchId: string): FoldwiseEvent[] => [
  {
    kind: EventKind.Started,
    searchId,
    ts: ts(),
    payload: { name: 'iris', models: ['mlp'], plannedTrials: 1, foldsPerTrial: 2 },
  },
  {
    kind: EventKind.Trial,
    searchId,
    ts: ts(),
    trialIndex: 0,
    payload: { status: 'running', model: 'mlp', params: { lr: 0.1 } },
  },
  ...[0, 1, 2].map((epoch): FoldwiseEvent => ({
    kind: EventKind.Epoch,
    searchId,
    ts: ts(),
    trialIndex: 0,
    fold: 0,
    epoch,
    attempt: 1,
    payload: { trainLoss: 1 / (epoch + 1), valLoss: 1.1 / (epoch + 1), valScore: 0.5 + epoch / 10 },
  })),
  {
    kind: EventKind.Fold,
    searchId,
    ts: ts(),
    trialIndex: 0,
    fold: 0,
    attempt: 1,
    payload: {
      status: 'completed',
      model: 'mlp',
      metrics: { accuracy: 0.9 },
      epochsTrained: 3,
      durationMs: 40,
    },
  },
  {
    kind: EventKind.Pruned,
    searchId,
    ts: ts(),
    trialIndex: 0,
    fold: 1,
    payload: { kind: 'scheduler', evidence: { rung: 1 } },
  },
  {
    kind: EventKind.Completed,
    searchId,
    ts: ts(),
    payload: {
      counts: {
        trials: 1,
        trialsCompleted: 1,
        trialsPruned: 0,
        trialsFailed: 0,
        folds: 2,
        foldsCompleted: 1,
      },
    },
  },
];

const collect = async (it: AsyncIterable<FoldwiseEvent>, max = 1_000): Promise<FoldwiseEvent[]> => {
  const out: FoldwiseEvent[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const sock = tcpConnect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });

/** A private nats-server with JetStream on a fixed port and store dir, restartable on the same port. */
class PrivateNats {
  private proc: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {}
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.proc = spawn(
      'nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nats-server did not start on port ${this.port}`);
  }
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }
}

let shared: EventsConnection;
const sharedSearches: string[] = [];

before(async () => {
  shared = await connectEvents({ url: stackEnv().NATS_URL, logger: silentLogger });
});

after(async () => {
  for (const id of sharedSearches) await shared.purge(id);
  await shared.close();
});

void test('publishing the same event twice stores it once', async () => {
  const searchId = newSearchId('dup');
  sharedSearches.push(searchId);
  const [started, , , , , fold, , completed] = script(searchId);
  assert.ok(started && fold && completed);
  const before = shared.stats();
  shared.publish(started);
  shared.publish(fold);
  shared.publish({ ...fold, attempt: 2, ts: ts() } as FoldwiseEvent);
  shared.publish(fold);
  shared.publish(completed);
  assert.equal(await shared.flush(10_000), true);
  const after = shared.stats();
  assert.equal(after.published - before.published, 5);
  assert.equal(after.duplicates - before.duplicates, 2);
  const replay = await collect(shared.subscribe(searchId, { from: 'start' }));
  assert.deepEqual(replay, [started, fold, completed]);
});

void test('a subscription from the start replays a search in publish order and ends at completion', async () => {
  const searchId = newSearchId('replay');
  sharedSearches.push(searchId);
  const events = script(searchId);
  for (const e of events) shared.publish(e);
  assert.equal(await shared.flush(10_000), true);
  assert.deepEqual(await collect(shared.subscribe(searchId, { from: 'start' })), events);
  const other = newSearchId('other');
  sharedSearches.push(other);
  shared.publish({ kind: EventKind.Failed, searchId: other, ts: ts(), payload: { error: 'boom' } });
  assert.equal(await shared.flush(10_000), true);
  assert.deepEqual(
    (await collect(shared.subscribe(other))).map((e) => e.kind),
    [EventKind.Failed],
  );
});

void test('a subscription from now sees only later events, skipping malformed ones with a warning', async () => {
  const searchId = newSearchId('now');
  sharedSearches.push(searchId);
  const [started, trial, ...rest] = script(searchId);
  assert.ok(started && trial);
  shared.publish(started);
  assert.equal(await shared.flush(10_000), true);
  const warnings: string[] = [];
  const logger: EventsLogger = {
    warn: (_d, msg) => warnings.push(msg),
    error: (_d, msg) => warnings.push(msg),
  };
  const watcher = await connectEvents({ url: stackEnv().NATS_URL, logger });
  try {
    const seen = collect(watcher.subscribe(searchId, { from: 'now' }));
    const nc = await natsConnect({ servers: stackEnv().NATS_URL });
    const jsm = await nc.jetstreamManager();
    const subscribed = async (): Promise<boolean> => {
      for (const c of await jsm.consumers.list('FOLDWISE').next())
        if (c.config.filter_subject === eventSubject(searchId)) return true;
      return false;
    };
    while (!(await subscribed())) await new Promise((r) => setTimeout(r, 20));
    const js = nc.jetstream();
    await js.publish(eventSubject(searchId, EventKind.Fold), new TextEncoder().encode('{not json'));
    await js.publish(eventSubject(searchId, EventKind.Fold), JSONCodec().encode({ kind: 'fold', searchId }));
    await nc.close();
    for (const e of [trial, ...rest]) shared.publish(e);
    assert.equal(await shared.flush(10_000), true);
    assert.deepEqual(await seen, [trial, ...rest]);
    assert.deepEqual(warnings, [
      'events: skipped a message that is not JSON',
      'events: skipped a malformed event',
    ]);
  } finally {
    await watcher.close();
  }
});

void test('the publisher buffers while NATS is down and delivers everything in order after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foldwise-nats-'));
  const nats = new PrivateNats(await freePort(), dir);
  await nats.start();
  const events = await connectEvents({ url: nats.url, logger: silentLogger, publishTimeoutMs: 500 });
  try {
    const searchId = newSearchId('outage');
    const all = script(searchId);
    const [first, second, ...later] = all;
    assert.ok(first && second);
    events.publish(first);
    events.publish(second);
    assert.equal(await events.flush(10_000), true);

    await nats.stop();
    for (const e of later) assert.doesNotThrow(() => events.publish(e));
    assert.equal(await events.flush(1_500), false);
    assert.equal(events.stats().queued, later.length);
    assert.ok(events.stats().failures >= 1);

    await nats.start();
    assert.equal(await events.flush(30_000), true);
    assert.equal(events.stats().published, all.length);
    assert.deepEqual(await collect(events.subscribe(searchId, { from: 'start' })), all);
  } finally {
    await events.close({ flushTimeoutMs: 0 });
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a lazily connected publisher accepts events before NATS exists and delivers them once it starts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foldwise-nats-'));
  const nats = new PrivateNats(await freePort(), dir);
  const events = connectEventsLazily({ url: nats.url, logger: silentLogger, streamName: 'FOLDWISE_LAZY' });
  try {
    const searchId = newSearchId('lazy');
    const all = script(searchId);
    for (const e of all) events.publish(e);
    assert.equal(events.connected, false);
    assert.equal(await events.flush(500), false);
    await nats.start();
    assert.equal(await events.flush(30_000), true);
    assert.equal(events.connected, true);
    assert.deepEqual(await collect(events.subscribe(searchId)), all);
  } finally {
    await events.close({ flushTimeoutMs: 0 });
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a subscription opened while NATS is down waits for it to return and then replays the search', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foldwise-nats-'));
  const nats = new PrivateNats(await freePort(), dir);
  await nats.start();
  const warnings: string[] = [];
  const logger: EventsLogger = {
    ...silentLogger,
    warn: (_o: unknown, msg?: string) => void warnings.push(msg ?? ''),
  };
  const events = await connectEvents({ url: nats.url, logger });
  try {
    const searchId = newSearchId('resub');
    const all = script(searchId);
    for (const e of all) events.publish(e);
    assert.equal(await events.flush(10_000), true);
    await nats.stop();
    const replay = collect(events.subscribe(searchId, { from: 'start', retryMs: 60_000 }));
    await new Promise((r) => setTimeout(r, 6_000));
    await nats.start();
    assert.deepEqual(await replay, all);
    assert.ok(
      warnings.some((w) => /retrying the subscription/.test(w)),
      `the first attempt (JetStream request timeout 5 s) failed and was retried; warnings: ${warnings.join(' | ')}`,
    );
  } finally {
    await events.close({ flushTimeoutMs: 0 });
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a lazy connection closed while it is still connecting leaves no socket open', async () => {
  const { NATS_URL } = stackEnv();
  const upstream = new URL(NATS_URL);
  // A proxy that passes the NATS handshake at once and then holds each reply 400 ms, so close() lands while the
  // connection, already dialled, waits for its JetStream manager.
  const sockets = new Set<{ destroy(): void }>();
  const proxy = createServer((client) => {
    const server = tcpConnect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(server);
    let handshake = true;
    server.on('data', (chunk: Buffer) => {
      if (handshake) {
        client.write(chunk);
        if (chunk.includes('PONG')) handshake = false;
      } else setTimeout(() => client.writable && client.write(chunk), 400);
    });
    client.on('data', (chunk: Buffer) => server.write(chunk));
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  const port = (proxy.address() as { port: number }).port;
  const open = (): Promise<number> =>
    new Promise((ok, fail) => proxy.getConnections((e, n) => (e ? fail(e) : ok(n))));
  try {
    const events = connectEventsLazily({ url: `nats://127.0.0.1:${port}`, logger: silentLogger });
    await new Promise((ok) => setTimeout(ok, 150));
    assert.equal(await open(), 1, 'dialled before close()');
    await events.close({ flushTimeoutMs: 0 });
    await new Promise((ok) => setTimeout(ok, 1500));
    assert.equal(await open(), 0, 'every connection closed, though close() came while it was connecting');
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((ok) => proxy.close(() => ok()));
  }
});
