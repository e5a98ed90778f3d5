import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkpointDue } from './checkpoint';
import { train } from './train';
import type { TrainJob } from './types';

test('a checkpoint is due every checkpointEvery epochs once checkpointMinMs has passed, and always where a run pauses', () => {
  const every2 = { checkpointEvery: 2 };
  assert.equal(checkpointDue(every2, 2, false, 0, 5), true);
  assert.equal(checkpointDue(every2, 3, false, 0, 5), false, 'not on an odd epoch');
  const floor = { checkpointEvery: 2, checkpointMinMs: 1000 };
  assert.equal(checkpointDue(floor, 4, false, 10_000, 10_500), false, 'too soon after the last one');
  assert.equal(checkpointDue(floor, 4, false, 10_000, 11_000), true, 'once the floor has passed');
  assert.equal(checkpointDue(floor, 3, true, 10_000, 10_001), true, 'the pause checkpoint is always taken');
  assert.equal(checkpointDue({}, 2, false, 0, 1e9), false, 'no checkpointEvery: only at a pause');
});

test('the dense trainer copies out only the checkpoints the time floor lets through', async () => {
  const n = 40;
  const xTrain = Float32Array.from({ length: n * 2 }, (_, i) => ((i * 7) % 11) / 11);
  const yTrain = Float64Array.from({ length: n }, (_, i) => i % 2);
  const job: TrainJob = {
    family: 'logistic',
    params: { epochs: 8, batchSize: 8 },
    task: 'classification',
    nFeatures: 2,
    nClasses: 2,
    xTrain,
    yTrain,
    xVal: xTrain.slice(0, 8),
    yVal: yTrain.slice(0, 4),
    seed: 3,
  };
  const epochs = async (hooks: { checkpointMinMs?: number; untilEpoch?: number }): Promise<number[]> => {
    const seen: number[] = [];
    await train(
      { ...job, ...(hooks.untilEpoch ? { untilEpoch: hooks.untilEpoch } : {}) },
      {
        checkpointEvery: 2,
        ...(hooks.checkpointMinMs !== undefined ? { checkpointMinMs: hooks.checkpointMinMs } : {}),
        onCheckpoint: (c) => void seen.push(c.epoch),
      },
    );
    return seen;
  };
  assert.deepEqual(await epochs({}), [2, 4, 6, 8], 'no floor: every second epoch');
  assert.deepEqual(await epochs({ checkpointMinMs: 3_600_000 }), [], 'an hour floor: none in a short run');
  assert.deepEqual(
    await epochs({ checkpointMinMs: 3_600_000, untilEpoch: 5 }),
    [5],
    'but the pause checkpoint',
  );
});
