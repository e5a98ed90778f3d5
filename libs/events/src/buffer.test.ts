import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventKind, type FoldwiseEvent } from '@foldwise/spec';
import { createBufferedPublisher } from './buffer';
import { silentLogger, type EventsLogger } from './logger';

const ts = '2026-11-29T14:00:00.000Z';
const epoch = (e: number): FoldwiseEvent => ({
  kind: EventKind.Epoch,
  searchId: 's1',
  ts,
  trialIndex: 0,
  fold: 0,
  epoch: e,
  attempt: 1,
  payload: { trainLoss: 1 / (e + 1), valLoss: null, valScore: null },
});
const fold = (f: number): FoldwiseEvent => ({
  kind: EventKind.Fold,
  searchId: 's1',
  ts,
  trialIndex: 0,
  fold: f,
  attempt: 1,
  payload: { status: 'completed', model: 'mlp', metrics: { accuracy: 0.5 }, epochsTrained: 1, durationMs: 1 },
});
const completed: FoldwiseEvent = {
  kind: EventKind.Completed,
  searchId: 's1',
  ts,
  payload: {
    counts: { trials: 1, trialsCompleted: 1, trialsPruned: 0, trialsFailed: 0, folds: 1, foldsCompleted: 1 },
  },
};

const recordingLogger = (): EventsLogger & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, warn: (_d, msg) => lines.push(msg), error: (_d, msg) => lines.push(msg) };
};

void test('events published while the transport fails arrive in order once it recovers', async () => {
  const delivered: FoldwiseEvent[] = [];
  let up = false;
  const pub = createBufferedPublisher({
    logger: silentLogger,
    minBackoffMs: 1,
    maxBackoffMs: 5,
    send: async (e) => {
      if (!up) throw new Error('down');
      delivered.push(e);
      return { duplicate: false };
    },
  });
  const sent = [epoch(0), epoch(1), fold(0), epoch(2), completed];
  for (const e of sent) pub.publish(e);
  assert.equal(await pub.flush(30), false);
  assert.equal(pub.stats().queued, sent.length);
  assert.ok(pub.stats().failures >= 1);
  up = true;
  pub.wake();
  assert.equal(await pub.flush(5_000), true);
  assert.deepEqual(delivered, sent);
  assert.deepEqual(
    { ...pub.stats(), failures: 0 },
    { queued: 0, published: 5, duplicates: 0, dropped: 0, invalid: 0, failures: 0 },
  );
});

void test('a full buffer drops the oldest epoch events before anything else', async () => {
  const delivered: FoldwiseEvent[] = [];
  let up = false;
  const pub = createBufferedPublisher({
    logger: silentLogger,
    maxBuffer: 4,
    minBackoffMs: 1,
    maxBackoffMs: 2,
    send: async (e) => {
      if (!up) throw new Error('down');
      delivered.push(e);
      return { duplicate: false };
    },
  });
  for (const e of [fold(0), epoch(0), epoch(1), fold(1), epoch(2), completed]) pub.publish(e);
  assert.equal(pub.stats().dropped, 2);
  assert.equal(pub.stats().queued, 4);
  up = true;
  pub.wake();
  assert.equal(await pub.flush(5_000), true);
  assert.deepEqual(delivered, [fold(0), fold(1), epoch(2), completed]);
});

void test('an invalid event is counted and logged, never thrown, and nothing is sent', async () => {
  let sends = 0;
  const logger = recordingLogger();
  const pub = createBufferedPublisher({
    logger,
    send: async () => {
      sends++;
      return { duplicate: false };
    },
  });
  assert.doesNotThrow(() => pub.publish({ ...fold(0), fold: -1 } as FoldwiseEvent));
  assert.doesNotThrow(() => pub.publish(null as unknown as FoldwiseEvent));
  assert.equal(await pub.flush(100), true);
  assert.equal(sends, 0);
  assert.equal(pub.stats().invalid, 2);
  assert.deepEqual(logger.lines, [
    'events: invalid event not published',
    'events: invalid event not published',
  ]);
});

void test('duplicates acknowledged by the server are counted', async () => {
  const seen = new Set<string>();
  const pub = createBufferedPublisher({
    logger: silentLogger,
    send: async (e) => {
      const key = JSON.stringify(e);
      const duplicate = seen.has(key);
      seen.add(key);
      return { duplicate };
    },
  });
  pub.publish(fold(0));
  pub.publish(fold(0));
  assert.equal(await pub.flush(1_000), true);
  assert.equal(pub.stats().duplicates, 1);
  assert.equal(pub.stats().published, 2);
});

void test('a stopped publisher abandons its queue and flush reports it', async () => {
  const pub = createBufferedPublisher({
    logger: silentLogger,
    minBackoffMs: 1,
    send: async () => {
      throw new Error('down');
    },
  });
  pub.publish(fold(0));
  pub.stop();
  assert.equal(await pub.flush(20), false);
  assert.throws(
    () =>
      createBufferedPublisher({
        logger: silentLogger,
        maxBuffer: 0,
        send: async () => ({ duplicate: false }),
      }),
    /maxBuffer must be/,
  );
});
