import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Checkpoint,
  type EpochReport,
  createPackingTrainer,
  createTrainerPool,
  train,
  selectBackend,
} from './index';
import { blobs, jobFrom } from './fixtures/synthetic';

const job = (seed: number, epochs = 8, rows = 600, layers = [32]) =>
  jobFrom(blobs(rows, 8, 3, seed), {
    family: 'mlp',
    params: { layers, epochs, batchSize: 16, learningRate: 0.01 },
    task: 'classification',
    nFeatures: 8,
    nClasses: 3,
    seed,
  });

test('a trainer thread trains while the main event loop keeps ticking, and matches training in-process', async () => {
  const pool = createTrainerPool({ slots: 1, backend: 'wasm' });
  try {
    assert.equal((await pool.backend).backend, 'wasm');
    const gaps: number[] = [];
    let last = performance.now();
    const iv = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    const epochs: EpochReport[] = [];
    const checkpoints: Checkpoint[] = [];
    const big = job(1, 8, 4000, [128, 128]);
    const r = await pool.run(big, {
      onEpoch: (e) => epochs.push(e),
      checkpointEvery: 4,
      onCheckpoint: (c) => void checkpoints.push(c),
    });
    clearInterval(iv);
    assert.equal(epochs.length, 8);
    assert.deepEqual(
      checkpoints.map((c) => c.epoch),
      [4, 8],
    );
    assert.ok(gaps.length >= 10, `only ${gaps.length} ticks while the thread trained for ${r.durationMs} ms`);
    const trainedAt = r.durationMs;
    assert.ok(Math.max(...gaps) < trainedAt, 'the interval never stalled for the whole training');
    await selectBackend('wasm');
    const local = await train(big);
    assert.deepEqual(r.curve, local.curve);
    assert.deepEqual([...r.valPred], [...local.valPred]);
  } finally {
    await pool.close();
  }
});

test('aborting a job on a thread rejects it with an AbortError and frees the slot', async () => {
  const pool = createTrainerPool({ slots: 1, backend: 'wasm' });
  try {
    const ctl = new AbortController();
    const running = pool.run(job(2, 500), {
      signal: ctl.signal,
      onEpoch: (e) => e.epoch === 2 && ctl.abort(),
    });
    await assert.rejects(running, (e: Error) => e.name === 'AbortError');
    const next = await pool.run(job(3, 2));
    assert.equal(next.epochsTrained, 2);
  } finally {
    await pool.close();
  }
});

test('the packing trainer packs jobs of one architecture that arrive within the window', async () => {
  const pool = createTrainerPool({ slots: 1, backend: 'wasm' });
  try {
    const packer = createPackingTrainer({ windowMs: 50, maxPack: 3, pool });
    const results = await Promise.all([1, 2, 3].map((s) => packer.submit(job(s, 3))));
    await selectBackend('wasm');
    for (let i = 0; i < 3; i++) assert.deepEqual(results[i]!.curve, (await train(job(i + 1, 3))).curve);
    assert.equal(new Set(results.map((r) => r.durationMs)).size, 1, 'the three jobs ran as one pack');
  } finally {
    await pool.close();
  }
});
