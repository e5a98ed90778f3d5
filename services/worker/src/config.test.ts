import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadWorkerConfig } from './config';

test('an empty environment gives a local cpu worker with one slot and the auto engines', () => {
  const c = loadWorkerConfig({});
  assert.equal(c.TEMPORAL_ADDRESS, '127.0.0.1:7233');
  assert.equal(c.FOLDWISE_POOL, 'cpu');
  assert.equal(c.FOLDWISE_SLOTS, 1);
  assert.equal(c.FOLDWISE_BACKEND, 'auto');
  assert.equal(c.FOLDWISE_DENSE_ENGINE, 'auto');
  assert.equal(c.FOLDWISE_METRICS_HOST, '127.0.0.1', 'metrics bind to loopback unless told otherwise');
  assert.deepEqual(c.FOLDWISE_FAMILY_MODULES, []);
  assert.equal(c.FOLDWISE_CHECKPOINT_EVERY, 2);
  assert.equal(c.FOLDWISE_CHECKPOINT_SECONDS, 10, 'fast epochs are not checkpointed more than every 10 s');
  assert.throws(() => loadWorkerConfig({ FOLDWISE_CHECKPOINT_SECONDS: '-1' }), /FOLDWISE_CHECKPOINT_SECONDS/);
});

test('every bad variable is named in one error', () => {
  assert.throws(
    () =>
      loadWorkerConfig({
        METRICS_PORT: 'ninety',
        FOLDWISE_SLOTS: '-1',
        FOLDWISE_DENSE_ENGINE: 'fast',
        NATS_URL: 'http://x',
      }),
    (e: Error) =>
      /FOLDWISE_METRICS_PORT: FOLDWISE_METRICS_PORT must be a port number/.test(e.message) &&
      /FOLDWISE_SLOTS: FOLDWISE_SLOTS must be at least 0/.test(e.message) &&
      /FOLDWISE_DENSE_ENGINE: FOLDWISE_DENSE_ENGINE must be 'auto', 'simd' or 'tfjs'/.test(e.message) &&
      /NATS_URL: NATS_URL must start with nats:\/\//.test(e.message),
  );
});

test('a gpu pool worker has one slot: one per GPU, one process per GPU', () => {
  assert.equal(loadWorkerConfig({ FOLDWISE_POOL: 'gpu' }).FOLDWISE_SLOTS, 1);
  assert.throws(
    () => loadWorkerConfig({ FOLDWISE_POOL: 'gpu', FOLDWISE_SLOTS: '4' }),
    /FOLDWISE_SLOTS: FOLDWISE_SLOTS must be 1 in the gpu pool \(got 4\): one slot per GPU/,
  );
  assert.equal(loadWorkerConfig({ FOLDWISE_POOL: 'cpu', FOLDWISE_SLOTS: '4' }).FOLDWISE_SLOTS, 4);
});

test('FOLDWISE_SLOTS=0 is a control-only worker, refused without the control role', () => {
  assert.equal(loadWorkerConfig({ FOLDWISE_SLOTS: '0' }).FOLDWISE_SLOTS, 0);
  assert.equal(loadWorkerConfig({ FOLDWISE_POOL: 'gpu', FOLDWISE_SLOTS: '0' }).FOLDWISE_SLOTS, 0);
  assert.throws(
    () => loadWorkerConfig({ FOLDWISE_SLOTS: '0', FOLDWISE_CONTROL: 'false' }),
    /FOLDWISE_SLOTS: FOLDWISE_SLOTS=0 makes a control-only worker, which needs FOLDWISE_CONTROL=true/,
  );
});

test('family modules are a comma-separated list and the benchmark trainer is validated', () => {
  assert.deepEqual(loadWorkerConfig({ FOLDWISE_FAMILY_MODULES: ' a.ts, b.ts ,' }).FOLDWISE_FAMILY_MODULES, [
    'a.ts',
    'b.ts',
  ]);
  assert.throws(
    () => loadWorkerConfig({ FOLDWISE_BENCH_TRAINER: 'warp' }),
    /FOLDWISE_BENCH_TRAINER must be 'noop' or 'sleep:<ms>'/,
  );
});
