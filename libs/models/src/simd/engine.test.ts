import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  denseEngineFor,
  selectBackend,
  setDenseEngine,
  train,
  trainPacked,
  type TrainJob,
  type TrainResult,
} from '../index';
import { blobs, jobFrom, linearData } from '../fixtures/synthetic';

const ready = selectBackend('auto');

const numbers = (r: TrainResult): number[] => [
  ...r.curve.flatMap((c) => [c.trainLoss, c.valLoss, c.valScore]),
  ...(r.valProba ?? r.valPred),
];

const withEngine = async <T>(engine: 'simd' | 'tfjs', run: () => Promise<T>): Promise<T> => {
  setDenseEngine(engine);
  try {
    return await run();
  } finally {
    setDenseEngine('auto');
  }
};

const cls = (params: Record<string, unknown>, seed = 3): TrainJob =>
  jobFrom(blobs(150, 6, 3, seed), {
    family: 'mlp',
    params: { epochs: 4, batchSize: 16, learningRate: 0.01, ...params },
    task: 'classification',
    nFeatures: 6,
    nClasses: 3,
    seed,
  });

const reg = (params: Record<string, unknown>): TrainJob =>
  jobFrom(linearData(120, 4, 2), {
    family: 'mlp',
    params: { epochs: 4, batchSize: 16, learningRate: 0.01, ...params },
    task: 'regression',
    nFeatures: 4,
    nClasses: 0,
    seed: 2,
  });

test('auto picks the SIMD kernels on wasm and cpu, and tfjs where tfjs runs natively', async () => {
  await ready;
  assert.equal(denseEngineFor('wasm'), 'simd');
  assert.equal(denseEngineFor('cpu'), 'simd');
  assert.equal(denseEngineFor('tensorflow'), 'tfjs');
  assert.throws(
    () => setDenseEngine('fast' as never),
    /dense engine: expected auto, simd or tfjs \(got fast\)/,
  );
});

test('the SIMD engine trains what the tfjs engine trains: every activation, optimizer, dropout, L2, both tasks', async () => {
  await ready;
  const cases: [string, TrainJob][] = [];
  for (const activation of ['relu', 'tanh', 'sigmoid', 'elu']) {
    for (const optimizer of ['adam', 'sgd', 'rmsprop'])
      cases.push([`${activation}/${optimizer}`, cls({ layers: [9, 7], activation, optimizer })]);
  }
  cases.push(['relu/dropout/l2', cls({ layers: [12], dropout: 0.3, l2: 0.01 })]);
  cases.push(['tanh/dropout', cls({ layers: [12, 5], activation: 'tanh', dropout: 0.2 })]);
  cases.push(['logistic', { ...cls({}), family: 'logistic' }]);
  cases.push(['regression mlp', reg({ layers: [8] })]);
  cases.push(['linear regression', { ...reg({}), family: 'linear' }]);
  let worst = 0;
  for (const [name, job] of cases) {
    const simd = await withEngine('simd', () => train(job));
    const tfjs = await withEngine('tfjs', () => train(job));
    assert.equal(simd.backend, 'wasm-simd', name);
    assert.equal(tfjs.backend, 'wasm', name);
    assert.deepEqual(simd.valPred.length, tfjs.valPred.length);
    const a = numbers(simd);
    const b = numbers(tfjs);
    assert.equal(a.length, b.length, name);
    const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.max(1, Math.abs(b[i]!))));
    worst = Math.max(worst, diff);
    assert.ok(diff < 1e-3, `${name}: largest relative difference ${diff}`);
  }
  console.log(
    `largest relative difference between the engines over ${cases.length} configurations: ${worst.toExponential(2)}`,
  );
});

test('packed SIMD training gives each job exactly what it gets alone', async () => {
  await ready;
  const jobs = [1, 2, 3].map((seed) => cls({ layers: [10], dropout: 0.2 }, seed));
  const packed = await withEngine('simd', () => trainPacked(jobs));
  for (const [i, job] of jobs.entries()) {
    const alone = await withEngine('simd', () => train(job));
    assert.deepEqual(numbers(packed[i]!), numbers(alone));
  }
});
