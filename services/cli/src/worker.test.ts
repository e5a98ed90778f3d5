import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gpuWorkerEnvs } from './worker';

test('a gpu pool without METRICS_PORT leaves each worker to pick free metrics ports', () => {
  const envs = gpuWorkerEnvs(['0', '1', '2'], { A: '1' });
  assert.equal(envs.length, 3);
  for (const e of envs) assert.equal(e['METRICS_PORT'], undefined);
  assert.deepEqual(
    envs.map((e) => e['CUDA_VISIBLE_DEVICES']),
    ['0', '1', '2'],
  );
});

test('a gpu pool with METRICS_PORT set gives worker i METRICS_PORT + 2i', () => {
  const envs = gpuWorkerEnvs(['0', '1', '2'], { METRICS_PORT: '9600' });
  assert.deepEqual(
    envs.map((e) => e['METRICS_PORT']),
    ['9600', '9602', '9604'],
  );
});
