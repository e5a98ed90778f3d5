import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type TrainingParams, learningRateAt, trainingParams } from './families';
import { augmentImages } from './layers-train';
import { Rng } from './rng';
import { type Checkpoint, type TrainJob, refit, selectBackend, train } from './index';
import { blobs, halves, jobFrom } from './fixtures/synthetic';

const ready = selectBackend('auto');

const tp = (over: Partial<TrainingParams>): TrainingParams => ({ ...trainingParams({}), ...over });

/** 240 blobs, 192 training rows: 12 full batches of 16, so `l2` and `weightDecay` can be compared exactly. */
const mlpJob = (params: Record<string, unknown> = {}): TrainJob =>
  jobFrom(blobs(240, 5, 3, 1), {
    family: 'mlp',
    params: { layers: [12], epochs: 4, batchSize: 16, learningRate: 0.02, ...params },
    task: 'classification',
    nFeatures: 5,
    nClasses: 3,
    seed: 7,
  });

/** 6×6 images, 80 training rows: 5 full batches of 16. */
const cnnJob = (params: Record<string, unknown> = {}): TrainJob =>
  jobFrom(halves(100, 2), {
    family: 'cnn',
    params: {
      blocks: [{ filters: 4, kernelSize: 3 }],
      denseUnits: 8,
      epochs: 4,
      batchSize: 16,
      learningRate: 0.01,
      ...params,
    },
    task: 'classification',
    nFeatures: 36,
    inputShape: [6, 6, 1],
    nClasses: 2,
    seed: 4,
  });

const losses = (r: { curve: { trainLoss: number; valLoss: number }[] }) =>
  r.curve.flatMap((c) => [c.trainLoss, c.valLoss]);
const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))));

test('learning-rate schedules: constant, cosine to 0, step, and a linear warm-up before them', () => {
  assert.equal(learningRateAt(tp({ learningRate: 0.1 }), 7, 10), 0.1);
  const cos = tp({ learningRate: 0.1, lrSchedule: 'cosine' });
  assert.equal(learningRateAt(cos, 0, 10), 0.1);
  assert.ok(Math.abs(learningRateAt(cos, 5, 10) - 0.05) < 1e-15);
  assert.ok(learningRateAt(cos, 9, 10) < 0.003 && learningRateAt(cos, 9, 10) > 0);
  const step = tp({ learningRate: 0.1, lrSchedule: 'step', lrStepEpochs: 3, lrStepGamma: 0.5 });
  assert.deepEqual(
    [0, 2, 3, 5, 6].map((e) => learningRateAt(step, e, 10)),
    [0.1, 0.1, 0.05, 0.05, 0.025],
  );
  const warm = tp({ learningRate: 0.1, lrSchedule: 'cosine', lrWarmupEpochs: 3 });
  [0.025, 0.05, 0.075].forEach((want, e) => assert.ok(Math.abs(learningRateAt(warm, e, 13) - want) < 1e-15));
  assert.equal(learningRateAt(warm, 3, 13), 0.1, 'the schedule starts after the warm-up');
  assert.ok(
    Math.abs(learningRateAt(warm, 8, 13) - 0.05) < 1e-15,
    'cosine spans the epochs after the warm-up',
  );
});

for (const [name, make] of [
  ['mlp (dense engine)', mlpJob],
  ['cnn (layers loop)', cnnJob],
] as const) {
  test(`${name}: a step schedule changes training from its first step epoch on, and only then`, async () => {
    await ready;
    const constant = await train(make());
    const stepped = await train(make({ lrSchedule: 'step', lrStepEpochs: 2, lrStepGamma: 1e-9 }));
    assert.deepEqual(
      losses(stepped).slice(0, 4),
      losses(constant).slice(0, 4),
      'epochs 1–2 at the same rate',
    );
    assert.notDeepEqual(losses(stepped).slice(4), losses(constant).slice(4));
    const [e3, e4] = [stepped.curve[2]!, stepped.curve[3]!];
    assert.ok(Math.abs(e4.valLoss - e3.valLoss) < 1e-5, 'at a rate of 1e-9·lr the weights no longer move');
  });

  test(`${name}: weightDecay adds weightDecay·W to each step's kernel gradient (= l2 of weightDecay·batch on full batches)`, async () => {
    await ready;
    const decayed = await train(make({ weightDecay: 0.01 }));
    const asL2 = await train(make({ l2: 0.01 * 16 }));
    const plain = await train(make());
    assert.ok(maxDiff(losses(decayed), losses(asL2)) < 1e-5, `${maxDiff(losses(decayed), losses(asL2))}`);
    assert.ok(maxDiff(losses(decayed), losses(plain)) > 1e-4, 'and it changes training');
  });
}

test('weight decay shrinks the trained kernels', async () => {
  await ready;
  const norm = async (params: Record<string, unknown>) => {
    const { model } = await refit(mlpJob({ epochs: 20, ...params }));
    try {
      return model.weights
        .filter((w) => /kernel/.test(w.name))
        .reduce((s, w) => s + (w.read().square().sum().dataSync()[0] as number), 0);
    } finally {
      model.dispose();
    }
  };
  assert.ok((await norm({ weightDecay: 0.05 })) < 0.8 * (await norm({})));
});

test('augmentImages shifts with zero fill and mirrors, drawn from the seed', () => {
  const img = Float32Array.from({ length: 9 }, (_, i) => i + 1); // 3×3×1: 1 2 3 / 4 5 6 / 7 8 9
  const a = { h: 3, w: 3, c: 1, shift: 0, flip: false };
  assert.deepEqual(augmentImages(img, 1, a, new Rng(1)), img, 'nothing asked: the same image');
  const flips = Array.from({ length: 40 }, (_, s) =>
    Array.from(augmentImages(img, 1, { ...a, flip: true }, new Rng(s))),
  );
  const mirrored = [3, 2, 1, 6, 5, 4, 9, 8, 7];
  assert.ok(flips.every((f) => f.join() === img.join() || f.join() === mirrored.join()));
  assert.ok(flips.some((f) => f.join() === mirrored.join()) && flips.some((f) => f.join() === img.join()));
  for (let s = 0; s < 30; s++) {
    const out = Array.from(augmentImages(img, 1, { ...a, shift: 1 }, new Rng(s)));
    const r = new Rng(s);
    const dy = Math.floor(r.next() * 3) - 1;
    const dx = Math.floor(r.next() * 3) - 1;
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 3; x++) {
        const sy = y - dy;
        const sx = x - dx;
        const want = sy < 0 || sy > 2 || sx < 0 || sx > 2 ? 0 : img[sy * 3 + sx];
        assert.equal(out[y * 3 + x], want, `seed ${s} (${dy}, ${dx}) at (${y}, ${x})`);
      }
  }
  assert.deepEqual(
    augmentImages(img, 1, { ...a, shift: 1, flip: true }, new Rng(5)),
    augmentImages(img, 1, { ...a, shift: 1, flip: true }, new Rng(5)),
  );
});

test('augmentation changes what a cnn trains on, resumes exactly from a checkpoint, and needs images', async () => {
  await ready;
  const job = cnnJob({ augmentShift: 1, augmentFlip: true });
  const plain = await train(cnnJob());
  const full = await train(job);
  assert.notDeepEqual(losses(full), losses(plain));
  let ck: Checkpoint | undefined;
  await train({ ...job, untilEpoch: 2 }, { onCheckpoint: (c) => void (ck = c) });
  const resumed = await train({ ...job, resumeFrom: ck! });
  assert.ok(maxDiff(losses(full), losses(resumed)) <= 1e-6);
  const { inputShape: _shape, ...flat } = job;
  await assert.rejects(train(flat), /inputShape/);
  await assert.rejects(
    train(mlpJob({ augmentShift: 1 })),
    /augmentShift/,
    'a dense family has no augmentation',
  );
});
