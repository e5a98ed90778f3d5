import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initDenseLayer } from './dense';
import { l2Decay } from './families';
import { refit, selectBackend, setDenseEngine, train, trainPacked, type TrainJob } from './index';
import { Rng } from './rng';

interface Layer {
  kernel: number[];
  bias: number[];
}

interface Case {
  name: string;
  task: 'classification' | 'regression';
  n: number;
  nFeatures: number;
  nClasses?: number;
  layers: number[];
  activation: 'relu' | 'tanh' | 'sigmoid';
  optimizer: 'adam' | 'sgd';
  l2: number;
  batchSize: number;
  learningRate: number;
  epochs: number;
  seed: number;
  x: number[];
  y: number[];
  orders: number[][];
  initial: Layer[];
  final: Layer[];
}

/** scikit-learn 1.2's MLPClassifier / MLPRegressor trained from foldwise's initial weights over foldwise's batch orders. */
const fixture = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'fixtures', 'sklearn-mlp.json'), 'utf8'),
) as { sklearn: string; cases: Case[] };

const ready = selectBackend('auto');

const jobOf = (c: Case): TrainJob => ({
  family: 'mlp',
  params: {
    layers: c.layers,
    activation: c.activation,
    optimizer: c.optimizer,
    l2: c.l2,
    batchSize: c.batchSize,
    learningRate: c.learningRate,
    epochs: c.epochs,
    ...(c.optimizer === 'sgd' ? { momentum: 0 } : {}),
  },
  task: c.task,
  nFeatures: c.nFeatures,
  nClasses: c.nClasses ?? 0,
  xTrain: Float32Array.from(c.x),
  yTrain: Float64Array.from(c.y),
  xVal: new Float32Array(0),
  yVal: new Float64Array(0),
  seed: c.seed,
});

const dimsOf = (c: Case): number[] => [
  c.nFeatures,
  ...c.layers,
  c.task === 'classification' ? c.nClasses! : 1,
];

test('the fixture starts where foldwise starts: its initial weights and batch orders are foldwise’s for the seed', () => {
  for (const c of fixture.cases) {
    const rng = new Rng(c.seed, 0);
    const dims = dimsOf(c);
    c.initial.forEach((layer, l) => {
      const w = initDenseLayer(rng, dims[l]!, dims[l + 1]!, c.activation);
      assert.deepEqual(
        Array.from(w),
        [...layer.kernel, ...layer.bias].map(Math.fround),
        `${c.name}: layer ${l}`,
      );
    });
    const shuffle = new Rng(c.seed, 1);
    for (const order of c.orders) {
      assert.deepEqual(Array.from(shuffle.shuffle(Int32Array.from({ length: c.n }, (_, i) => i))), order);
    }
  }
});

test('initial weights follow scikit-learn: kernel and bias uniform in ±√(6 / (fan-in + fan-out)), ±√(2 / …) for sigmoid', () => {
  for (const activation of ['relu', 'tanh', 'elu', 'sigmoid'] as const) {
    const [fin, fout] = [64, 128];
    const bound = Math.sqrt((activation === 'sigmoid' ? 2 : 6) / (fin + fout));
    const w = initDenseLayer(new Rng(3, 0), fin, fout, activation);
    const kernel = w.subarray(0, fin * fout);
    const bias = w.subarray(fin * fout);
    for (const [part, values] of [
      ['kernel', kernel],
      ['bias', bias],
    ] as const) {
      const hi = Math.max(...values);
      const lo = Math.min(...values);
      assert.ok(hi <= bound && lo >= -bound, `${activation} ${part}: [${lo}, ${hi}] outside ±${bound}`);
      assert.ok(
        hi > 0.9 * bound && lo < -0.9 * bound,
        `${activation} ${part}: [${lo}, ${hi}] narrower than ±${bound}`,
      );
    }
  }
});

test('l2 is scikit-learn’s alpha: alpha·W / n on a batch of n rows, doubled for foldwise’s squared error', () => {
  assert.equal(l2Decay(0.5, 8, true), 0.0625);
  assert.equal(l2Decay(0.5, 5, true), 0.1);
  assert.equal(l2Decay(0.5, 8, false), 0.125);
  assert.equal(l2Decay(0, 8, true), 0);
});

test('from the same weights over the same batches, both dense engines end where scikit-learn ends (l2 = alpha, its Adam, its last short batch)', async () => {
  await ready;
  let worst = 0;
  for (const engine of ['simd', 'tfjs'] as const) {
    setDenseEngine(engine);
    try {
      for (const c of fixture.cases) {
        const { model } = await refit(jobOf(c));
        const got = model.getWeights().map((t) => Array.from(t.dataSync()));
        model.dispose();
        const want = c.final.flatMap((layer) => [layer.kernel, layer.bias]);
        assert.equal(got.length, want.length, c.name);
        got.forEach((values, i) => {
          const diff = Math.max(...values.map((v, j) => Math.abs(v - want[i]![j]!)));
          worst = Math.max(worst, diff);
          assert.ok(diff < 1e-6, `${engine} ${c.name}: weights ${i} differ by up to ${diff}`);
        });
      }
    } finally {
      setDenseEngine('auto');
    }
  }
  console.log(`largest difference from scikit-learn ${fixture.sklearn}: ${worst.toExponential(2)}`);
});

test('packed jobs each decay by their own l2, on both engines, exactly as when trained alone', async () => {
  await ready;
  const c = fixture.cases.find((k) => k.optimizer === 'adam' && k.task === 'classification')!;
  const reg = fixture.cases.find((k) => k.task === 'regression')!;
  for (const base of [c, reg]) {
    const jobs = [0.05, 0.5, 2].map((l2, i) => {
      const job = jobOf(base);
      return { ...job, seed: job.seed + i, params: { ...job.params, l2 } };
    });
    for (const engine of ['simd', 'tfjs'] as const) {
      setDenseEngine(engine);
      try {
        const packed = await trainPacked(jobs);
        for (const [i, job] of jobs.entries()) {
          const alone = await train(job);
          const a = packed[i]!.curve.map((e) => e.trainLoss);
          const b = alone.curve.map((e) => e.trainLoss);
          a.forEach((v, k) =>
            assert.ok(
              Math.abs(v - b[k]!) <= 1e-6 * Math.max(1, Math.abs(b[k]!)),
              `${engine} ${base.name} job ${i}`,
            ),
          );
        }
      } finally {
        setDenseEngine('auto');
      }
    }
  }
});
