import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type Checkpoint,
  type TrainJob,
  architectureKey,
  familyRegistry,
  getFamily,
  loadFamilyModules,
  loadModelArtifact,
  paramsSchemaFor,
  parseParams,
  refit,
  saveModelArtifact,
  selectBackend,
  train,
  trainPacked,
  visibleGpus,
} from './index';
import { denseForward } from './dense';
import { holdBack } from './job';
import { blobs, halves, jobFrom, linearData } from './fixtures/synthetic';

const ready = selectBackend('auto');
const curveOf = (r: {
  curve: { trainLoss: number; valLoss: number; valScore: number }[];
  valProba?: Float32Array;
}) => [...r.curve.flatMap((c) => [c.trainLoss, c.valLoss, c.valScore]), ...(r.valProba ?? [])];
const maxDiff = (a: number[], b: number[]) => {
  assert.equal(a.length, b.length);
  return Math.max(0, ...a.map((v, i) => Math.abs(v - b[i]!)));
};

const mlpJob = (over: Partial<TrainJob> = {}, params: Record<string, unknown> = {}): TrainJob =>
  jobFrom(blobs(240, 5, 3, 1), {
    family: 'mlp',
    params: { layers: [12], epochs: 6, batchSize: 16, learningRate: 0.02, ...params },
    task: 'classification',
    nFeatures: 5,
    nClasses: 3,
    seed: 7,
    ...over,
  });

/** A job of an image family on `n` 6 × 6 two-class `halves` images (data seed `dataSeed`). */
const imageJob = (
  family: string,
  params: Record<string, unknown>,
  n: number,
  dataSeed: number,
  seed: number,
): TrainJob =>
  jobFrom(halves(n, dataSeed), {
    family,
    params,
    task: 'classification',
    nFeatures: 36,
    inputShape: [6, 6, 1],
    nClasses: 2,
    seed,
  });

const cnnJob = (): TrainJob =>
  imageJob(
    'cnn',
    {
      blocks: [{ filters: 4, kernelSize: 3, batchNorm: true, dropout: 0.1 }],
      denseUnits: 8,
      epochs: 4,
      batchSize: 16,
      learningRate: 0.01,
    },
    100,
    2,
    4,
  );

test('backend selection on this machine: the backend it chose trains and is reported, and each skipped binding says why', async () => {
  const choice = await ready;
  const natives = {
    'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
    tensorflow: '@tensorflow/tfjs-node',
  } as const;
  const installed = (pkg: string) => {
    try {
      return Boolean(require.resolve(pkg));
    } catch {
      return false;
    }
  };
  for (const { name, reason } of choice.skipped) {
    if (name !== 'tensorflow-gpu' && name !== 'tensorflow') continue;
    const pkg = natives[name];
    // A binding that is not installed does not resolve; one that is installed failed to load or to start.
    if (installed(pkg))
      assert.ok(reason.startsWith(`require('${pkg}') failed`) || reason.startsWith(`${pkg} loaded`));
    else assert.ok(reason.startsWith(`require('${pkg}') failed: Cannot find module`), reason);
  }
  if (choice.backend === 'wasm' || choice.backend === 'cpu') {
    assert.deepEqual(choice.skipped.map((s) => s.name).slice(0, 3), [
      'tensorflow-gpu',
      'webgpu',
      'tensorflow',
    ]);
  }
  assert.equal(tf.getBackend(), choice.backend);
  const r = await train(cnnJob());
  assert.equal(r.backend, choice.backend);
  assert.ok(r.curve.at(-1)!.valScore > 0.8, `cnn accuracy ${r.curve.at(-1)!.valScore} on ${r.backend}`);
});

test('every built-in family learns a separable set well above chance', async () => {
  await ready;
  const cls = blobs(240, 4, 3, 3);
  for (const family of ['logistic', 'mlp'] as const) {
    const r = await train(
      jobFrom(cls, {
        family,
        params: { epochs: 15, batchSize: 16, learningRate: 0.05 },
        task: 'classification',
        nFeatures: 4,
        nClasses: 3,
        seed: 1,
      }),
    );
    assert.ok(r.curve.at(-1)!.valScore > 0.8, `${family} accuracy ${r.curve.at(-1)!.valScore}`);
    assert.equal(r.valProba!.length, r.valPred.length * 3);
  }
  const reg = linearData(200, 3, 5);
  const variance = (() => {
    const ys = reg.y.slice(160);
    const m = ys.reduce((a, b) => a + b, 0) / ys.length;
    return ys.reduce((a, b) => a + (b - m) ** 2, 0) / ys.length;
  })();
  for (const family of ['linear', 'mlp'] as const) {
    const r = await train(
      jobFrom(reg, {
        family,
        params: { epochs: 40, batchSize: 16, learningRate: 0.05 },
        task: 'regression',
        nFeatures: 3,
        nClasses: 0,
        seed: 1,
      }),
    );
    assert.ok(
      -r.curve.at(-1)!.valScore < 0.2 * variance,
      `${family} mse ${-r.curve.at(-1)!.valScore} vs variance ${variance}`,
    );
    assert.equal(r.valProba, undefined);
  }
  const c = await train(cnnJob());
  assert.ok(c.curve.at(-1)!.valScore > 0.8, `cnn accuracy ${c.curve.at(-1)!.valScore}`);
});

test('invalid params are rejected with the path of the offending field', () => {
  assert.throws(() => parseParams('mlp', { learningRate: -1 }), /params\.learningRate: .*>0/);
  assert.throws(() => parseParams('mlp', { activation: 'swish' }), /params\.activation/);
  assert.throws(
    () => parseParams('mlp', { earlyStopping: { patience: 0 } }),
    /params\.earlyStopping\.patience/,
  );
  assert.throws(() => parseParams('logistic', { units: 3 }), /params\.units: Unrecognized key/);
  assert.throws(() => getFamily('svm'), /family: unknown model family "svm"/);
  assert.throws(
    () => architectureKey(mlpJob({ nFeatures: 7 })),
    /xTrain: length \d+ is not a multiple of nFeatures 7/,
  );
  const defaults = paramsSchemaFor('mlp').parse({});
  assert.equal(defaults.optimizer, 'adam');
  assert.equal(defaults.activation, 'relu');
});

test('the same seed gives the same run and another seed a different one', async () => {
  await ready;
  const a = await train(mlpJob({}, { dropout: 0.2 }));
  const b = await train(mlpJob({}, { dropout: 0.2 }));
  const c = await train(mlpJob({ seed: 8 }, { dropout: 0.2 }));
  assert.deepEqual(curveOf(a), curveOf(b));
  assert.notDeepEqual(curveOf(a), curveOf(c));
});

test('resuming from a checkpoint ends where an uninterrupted run ends (measured difference 0 on wasm and cpu)', async () => {
  await ready;
  for (const job of [mlpJob({}, { dropout: 0.2, optimizer: 'rmsprop' }), cnnJob()]) {
    const full = await train(job);
    let ck: Checkpoint | undefined;
    const first = await train({ ...job, untilEpoch: 2 }, { onCheckpoint: (c) => void (ck = c) });
    assert.equal(first.epochsTrained, 2);
    assert.equal(ck?.epoch, 2);
    const resumed = await train({ ...job, resumeFrom: ck! });
    assert.equal(resumed.epochsTrained, full.epochsTrained);
    assert.ok(maxDiff(curveOf(full), curveOf(resumed)) <= 1e-6, `${job.family} differs after resume`);
  }
});

test('aborting rejects with an AbortError between batches', async () => {
  await ready;
  const ctl = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    train(mlpJob({}, { epochs: 50 }), {
      signal: ctl.signal,
      onEpoch: (e) => (seen.push(e.epoch), e.epoch === 2 && ctl.abort()),
    }),
    (e: Error) => e.name === 'AbortError',
  );
  assert.deepEqual(seen, [1, 2]);
});

test('early stopping halts once validation loss stops improving', async () => {
  await ready;
  const r = await train(
    mlpJob({}, { epochs: 200, learningRate: 0.05, earlyStopping: { patience: 2, minDelta: 0.01 } }),
  );
  assert.equal(r.stoppedEarly, true);
  assert.ok(r.epochsTrained < 200);
});

/** The job with its validation rows' labels replaced (a model trained without looking at them scores differently, trains alike). */
const withOtherValidation = (job: TrainJob): TrainJob => ({
  ...job,
  xVal: job.xVal.map((v, i) => v * (i % 3 === 0 ? -1 : 2)),
  yVal: job.yVal.map((y) => (y + 1) % job.nClasses),
});

for (const [name, make] of [
  [
    'mlp (dense engine)',
    () => mlpJob({}, { epochs: 80, learningRate: 0.05, earlyStopping: { patience: 3 } }),
  ],
  [
    'cnn (layers loop)',
    () => ({ ...cnnJob(), params: { ...cnnJob().params, epochs: 12, earlyStopping: { patience: 2 } } }),
  ],
] as const) {
  test(`early stopping never sees the fold's validation rows: ${name} trains the same however they change`, async () => {
    await ready;
    const job = make();
    const a = await train(job);
    const b = await train(withOtherValidation(job));
    assert.equal(a.epochsTrained, b.epochsTrained);
    assert.equal(a.stoppedEarly, b.stoppedEarly);
    assert.deepEqual(
      a.curve.map((c) => [c.trainLoss, c.valLoss]),
      b.curve.map((c) => [c.trainLoss, c.valLoss]),
      'the loop watched the same held-back training rows',
    );
    assert.equal(a.valPred.length, job.yVal.length, 'scored on the fold’s own validation rows');
    assert.equal(b.valPred.length, job.yVal.length);
    // Without early stopping the loop reports the fold's own validation loss, so the same change shows there.
    const bare = { ...job, params: { ...job.params, earlyStopping: undefined } };
    const p = await train(bare);
    const q = await train(withOtherValidation(bare));
    assert.deepEqual(
      p.curve.map((c) => c.trainLoss),
      q.curve.map((c) => c.trainLoss),
    );
    assert.notDeepEqual(
      p.curve.map((c) => c.valLoss),
      q.curve.map((c) => c.valLoss),
    );
  });
}

test('holdBack keeps a seeded, stratified share of the training rows apart and trains on the rest', () => {
  const job = mlpJob();
  const n = job.yTrain.length;
  const held = holdBack(job, n, 0.2);
  assert.ok(held);
  assert.equal(held.nTrain + held.nStop, n);
  assert.equal(held.job.yVal.length, held.nStop);
  for (const c of [0, 1, 2]) {
    const all = job.yTrain.filter((y) => y === c).length;
    const stop = held.job.yVal.filter((y) => y === c).length;
    assert.ok(stop >= 1 && Math.abs(stop - 0.2 * all) <= 1, `class ${c}: ${stop} of ${all}`);
  }
  const rows = (x: Float32Array, k: number) =>
    Array.from({ length: x.length / k }, (_, i) => Array.from(x.subarray(i * k, (i + 1) * k)).join(','));
  const seen = new Set([...rows(held.job.xTrain, 5), ...rows(held.job.xVal, 5)]);
  assert.deepEqual(seen, new Set(rows(job.xTrain, 5)), 'every training row lands on one side');
  assert.deepEqual(holdBack(job, n, 0.2)?.job.yVal, held.job.yVal, 'the same seed holds back the same rows');
  assert.notDeepEqual(holdBack({ ...job, seed: 8 }, n, 0.2)?.job.xVal, held.job.xVal);
  assert.equal(
    holdBack({ ...job, xTrain: job.xTrain.slice(0, 10), yTrain: job.yTrain.slice(0, 2) }, 2, 0.5),
    undefined,
  );
});

test('denseForward gives what the dense engine predicts', async () => {
  await ready;
  const job = mlpJob({}, { layers: [12, 7], activation: 'tanh' });
  const { result, model } = await refit(job);
  try {
    const weights = model.getWeights();
    const layers: Float32Array[] = [];
    for (let l = 0; l < weights.length; l += 2) {
      const k = weights[l]!.dataSync() as Float32Array;
      const b = weights[l + 1]!.dataSync() as Float32Array;
      const w = new Float32Array(k.length + b.length);
      w.set(k);
      w.set(b, k.length);
      layers.push(w);
    }
    const out = denseForward(layers, [5, 12, 7, 3], 'tanh', true, job.xVal, job.yVal.length);
    assert.ok(maxDiff(Array.from(out), Array.from(result.valProba!)) < 1e-5);
  } finally {
    model.dispose();
  }
});

test('tensor count stays flat across folds', async () => {
  await ready;
  await train(mlpJob());
  await train(cnnJob());
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    await train(mlpJob({ seed: i }));
    await trainPacked([mlpJob({ seed: i }), mlpJob({ seed: i + 1 })]);
    await train(cnnJob());
  }
  assert.equal(tf.memory().numTensors, before);
});

test('packed training gives each job the result it gets alone (measured difference 0)', async () => {
  await ready;
  for (const optimizer of ['adam', 'sgd', 'rmsprop']) {
    const jobs = [0.01, 0.05, 0.003].map((learningRate, i) =>
      jobFrom(blobs(150 + 7 * i, 5, 3, i), {
        family: 'mlp',
        params: {
          layers: [10],
          epochs: 4,
          batchSize: 16,
          learningRate,
          optimizer,
          l2: 0.001 * i,
          dropout: 0.1,
        },
        task: 'classification',
        nFeatures: 5,
        nClasses: 3,
        seed: 20 + i,
      }),
    );
    const packed = await trainPacked(jobs);
    for (let i = 0; i < jobs.length; i++) {
      const alone = await train(jobs[i]!);
      assert.ok(maxDiff(curveOf(packed[i]!), curveOf(alone)) <= 1e-6, `${optimizer} job ${i}`);
      assert.equal(packed[i]!.samplesTrained, alone.samplesTrained);
    }
  }
});

test('a refit model survives a save and load through the in-memory artifact', async () => {
  await ready;
  const job = mlpJob();
  const { model, result } = await refit(job);
  const art = await saveModelArtifact(model);
  assert.equal(art.format, 'tfjs-layers');
  assert.ok(art.files['model.json'] && art.files['weights.bin']);
  const loaded = await loadModelArtifact(art.files);
  const x = tf.tensor2d(job.xVal, [job.yVal.length, job.nFeatures]);
  const a = model.predict(x) as tf.Tensor;
  const b = loaded.predict(x) as tf.Tensor;
  assert.ok(maxDiff([...a.dataSync()], [...result.valProba!]) < 1e-5);
  assert.deepEqual([...a.dataSync()], [...b.dataSync()]);
  tf.dispose([x, a, b]);
  model.dispose();
  loaded.dispose();
  await assert.rejects(loadModelArtifact({}), /files\["model.json"\]: missing/);
});

test('a family module named in the worker configuration is registered and trains under the custom:<name> a spec gives', async () => {
  await ready;
  const names = loadFamilyModules([path.join(__dirname, 'fixtures/tiny-family.ts')]);
  assert.deepEqual(names, ['tiny']);
  assert.ok(familyRegistry.has('tiny'));
  assert.throws(
    () => loadFamilyModules([path.join(__dirname, 'fixtures/synthetic.ts')]),
    /must export \{ name, paramsSchema, build/,
  );
  const r = await train(
    jobFrom(blobs(120, 4, 3, 2), {
      family: 'custom:tiny',
      params: { width: 8 },
      task: 'classification',
      nFeatures: 4,
      nClasses: 3,
      seed: 1,
    }),
  );
  assert.ok(r.curve.at(-1)!.valScore > 0.7);
  assert.ok(paramsSchemaFor('custom:tiny').safeParse({ width: 3 }).success);
  assert.throws(() => getFamily('custom:mlp'), /"custom:mlp" names a built-in family; write "mlp"/);
  assert.throws(
    () => getFamily('custom:nope'),
    /unknown model family "custom:nope" \(known: logistic, linear, mlp, cnn, resnet, custom:tiny/,
  );
});

test('visible GPUs come from CUDA_VISIBLE_DEVICES when set, else from nvidia-smi -L, else none', () => {
  assert.deepEqual(
    visibleGpus({ CUDA_VISIBLE_DEVICES: '0,2' }, () => 'never called'),
    ['0', '2'],
  );
  assert.deepEqual(visibleGpus({ CUDA_VISIBLE_DEVICES: '' }), []);
  assert.deepEqual(
    visibleGpus({ CUDA_VISIBLE_DEVICES: '1,-1,3' }),
    ['1'],
    'ids after -1 are hidden, as CUDA does',
  );
  const smi = () => 'GPU 0: NVIDIA H200 (UUID: GPU-aaa)\nGPU 1: NVIDIA H200 (UUID: GPU-bbb)\n';
  assert.deepEqual(visibleGpus({}, smi), ['0', '1']);
  assert.deepEqual(
    visibleGpus({}, () => {
      throw new Error('nvidia-smi: not found');
    }),
    [],
  );
});

test('a long layers epoch lets the event loop run (heartbeats and cancellation reach a refit mid-epoch)', async () => {
  await ready;
  // One epoch of 1,200 rows at batch 1: 1,200 steps, several hundred milliseconds on any machine this runs on.
  const job = imageJob(
    'cnn',
    { blocks: [{ filters: 4, kernelSize: 3 }], denseUnits: 8, epochs: 1, batchSize: 1 },
    1500,
    2,
    4,
  );
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 10);
  const t0 = performance.now();
  let epochsSeen = 0;
  try {
    await train(job, { onEpoch: () => (epochsSeen += 1) });
  } finally {
    clearInterval(timer);
  }
  const ms = performance.now() - t0;
  assert.equal(epochsSeen, 1);
  assert.ok(ms > 300, `the epoch is long enough to tell (${ms.toFixed(0)} ms)`);
  // Yielding every 100 ms gives at least one tick per 100 ms; an epoch that never yields gives none before it ends.
  assert.ok(ticks >= Math.floor(ms / 100) - 1, `${ticks} timer ticks during a ${ms.toFixed(0)} ms epoch`);

  const ctl = new AbortController();
  const abortAt = setTimeout(() => ctl.abort(), 50);
  const a0 = performance.now();
  await assert.rejects(train(job, { signal: ctl.signal }), /abort/i);
  clearTimeout(abortAt);
  const abortedAfter = performance.now() - a0;
  assert.ok(
    abortedAfter < ms * 0.8,
    `cancelled mid-epoch after ${abortedAfter.toFixed(0)} ms (a whole epoch: ${ms.toFixed(0)} ms)`,
  );
});

const resnetJob = (): TrainJob =>
  imageJob('resnet', { width: 4, epochs: 4, batchSize: 16, learningRate: 0.01 }, 160, 3, 5);

test('resnet: ResNet-8 and ResNet-14 have the CIFAR layout, learn the halves images, and resume exactly', async () => {
  await ready;
  const resnet = getFamily('resnet');
  const ctx = { task: 'classification' as const, nFeatures: 36, inputShape: [6, 6, 1], nClasses: 2, seed: 5 };
  for (const [blocksPerStage, depth] of [
    [1, 8],
    [2, 14],
  ] as const) {
    const model = resnet.build(parseParams('resnet', { width: 4, blocksPerStage }) as never, ctx);
    const layers = model.layers.map((l) => l.getClassName());
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
    const weighted3x3 = convs.filter((l) => (l.getConfig()['kernelSize'] as number[])[0] === 3).length;
    // ResNet-(6n+2): 6n 3 × 3 convolutions in the stages, the stem, and the output layer.
    assert.equal(
      weighted3x3 + 1,
      depth,
      `ResNet-${depth}: ${weighted3x3} 3 × 3 convolutions and the output layer`,
    );
    assert.equal(
      layers.filter((c) => c === 'Add').length,
      3 * blocksPerStage,
      'one residual addition per block',
    );
    // Two 1 × 1 projection shortcuts (into stages 2 and 3), widths 4 → 8 → 16, spatial 6 → 3 → 2.
    const projections = convs.filter((l) => (l.getConfig()['kernelSize'] as number[])[0] === 1);
    assert.deepEqual(
      projections.map((l) => l.getConfig()['filters']),
      [8, 16],
    );
    assert.equal(model.layers.at(-2)!.getClassName(), 'GlobalAveragePooling2D');
    assert.deepEqual(model.layers.at(-3)!.outputShape, [null, 2, 2, 16], 'before global average pooling');
    assert.ok(
      convs.every((l) => l.getConfig()['useBias'] === false),
      'batch norm follows every convolution',
    );
    model.dispose();
  }
  const full = await train(resnetJob());
  assert.ok(full.curve.at(-1)!.valScore > 0.8, `resnet accuracy ${full.curve.at(-1)!.valScore}`);
  let ck: Checkpoint | undefined;
  await train({ ...resnetJob(), untilEpoch: 2 }, { onCheckpoint: (c) => void (ck = c) });
  const resumed = await train({ ...resnetJob(), resumeFrom: ck! });
  assert.ok(maxDiff(curveOf(full), curveOf(resumed)) <= 1e-6, 'resnet differs after resume');
  assert.throws(
    () =>
      resnet.build(parseParams('resnet', {}) as never, {
        task: 'classification',
        nFeatures: 36,
        nClasses: 2,
        seed: 5,
      }),
    /inputShape: resnet needs \[height, width, channels\]/,
  );
  assert.throws(() => parseParams('resnet', { stages: 0 }), /stages/);
});
