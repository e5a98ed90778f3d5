import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityCancellationDetails } from '@temporalio/common';
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  foldIdOf,
  type FoldDoc,
  type FoldwiseEvent,
  type TrainFoldInput,
  type TrainFoldSummary,
} from '@foldwise/spec';
import { createFoldActivities, type FoldHeartbeat } from './fold';
import { planFolds } from './plan';
import type { ActivityDeps, LoadedDataset, TrainerJob, TrainerPort, TrainerResult } from './ports';

/** A small separable data set: 60 rows, 3 features, 3 classes of 20. */
function dataset(): LoadedDataset {
  const n = 60;
  const X = new Float32Array(n * 3);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let f = 0; f < 3; f++) X[i * 3 + f] = (i % 3) * 2 + f * 0.1 + (i % 7) * 0.01;
  }
  return { hash: 'ds-hash', task: 'classification', nSamples: n, nFeatures: 3, X, y, classes: [0, 1, 2] };
}

const cv = { kind: 'stratified', k: 3, shuffle: true } as TrainFoldInput['cv'];

function input(over: Partial<TrainFoldInput> = {}): TrainFoldInput {
  const ds = dataset();
  return {
    searchId: 'search-unit-abc',
    trialIndex: 4,
    fold: 1,
    nFolds: 3,
    model: 'mlp',
    params: { epochs: 6 },
    dataset: { builtin: 'unit' },
    cv,
    seed: 7,
    planHash: planFolds(ds, cv, 7).hash,
    task: 'classification',
    metrics: ['accuracy'],
    label: 'mlp fold 2/3',
    ...over,
  };
}

/** What a trainer run is told and does: reports epochs, hands over checkpoints, honours the abort signal. */
interface TrainerScript {
  epochs?: number;
  /** Epochs after which the trainer offers a checkpoint. */
  checkpointAt?: number[];
  /** Resolves when the run should continue past epoch `holdAt` (to cancel mid-training). */
  holdAt?: number;
  hold?: Promise<void>;
}

function fakeTrainer(script: TrainerScript = {}) {
  const jobs: TrainerJob[] = [];
  let started: () => void = () => undefined;
  const startedTraining = new Promise<void>((ok) => (started = ok));
  const trainer: TrainerPort = {
    backend: 'fake',
    async train(job, hooks) {
      jobs.push(job);
      started();
      const epochs = script.epochs ?? 6;
      const from = job.resumeFrom?.epoch ?? 0;
      const curve = [];
      for (let e = from + 1; e <= epochs; e++) {
        if (script.holdAt === e && script.hold) await script.hold;
        if (hooks.signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
        const report = { epoch: e, trainLoss: 1 / e, valLoss: 1.1 / e, valScore: 0.5 };
        curve.push(report);
        hooks.onEpoch(report);
        if (script.checkpointAt?.includes(e))
          await hooks.onCheckpoint({ epoch: e, bytes: new Uint8Array([e]) });
      }
      const nVal = job.yVal.length;
      const result: TrainerResult = {
        epochsTrained: epochs,
        stoppedEarly: false,
        curve,
        valPred: Float64Array.from(job.yVal),
        valProba: undefined,
        backend: 'fake',
        samplesTrained: nVal,
        cpuMs: 12,
        queuedMs: 0,
      };
      return result;
    },
    refit: () => Promise.reject(new Error('not used')),
  };
  return { trainer, jobs, startedTraining };
}

/** In-memory store, events and telemetry that record what the fold role asks of them. */
function ports(opts: { stored?: FoldDoc[]; artifacts?: Record<string, Uint8Array> } = {}) {
  const folds = new Map((opts.stored ?? []).map((d) => [d._id, d]));
  const artifacts = new Map(Object.entries(opts.artifacts ?? {}));
  const calls: string[] = [];
  const events: FoldwiseEvent[] = [];
  const store = {
    getFold: async (id: string) => {
      calls.push(`getFold ${id}`);
      return folds.get(id) ?? null;
    },
    recordFold: async (doc: FoldDoc) => {
      calls.push(`recordFold ${doc._id}`);
      const existing = folds.get(doc._id);
      if (existing) return { written: false, existing };
      folds.set(doc._id, doc);
      return { written: true };
    },
    putArtifact: async (name: string, bytes: Uint8Array) => {
      calls.push(`putArtifact ${name}`);
      artifacts.set(name, bytes);
    },
    getArtifact: async (name: string) => {
      calls.push(`getArtifact ${name}`);
      return artifacts.get(name) ?? null;
    },
    removeArtifacts: async (prefix: string) => {
      calls.push(`removeArtifacts ${prefix}`);
      return 0;
    },
  };
  const telemetry = {
    foldStarted: () => undefined,
    foldFinished: () => undefined,
    epochsTrained: () => undefined,
    foldRetried: () => undefined,
  };
  return { store, events, calls, folds, telemetry, publish: (e: FoldwiseEvent) => void events.push(e) };
}

function activities(
  p: ReturnType<typeof ports>,
  trainer: TrainerPort,
  over: Partial<ActivityDeps> = {},
): ReturnType<typeof createFoldActivities> {
  const deps = {
    store: p.store,
    events: { publish: p.publish },
    telemetry: p.telemetry,
    data: { load: async () => dataset() },
    trainer,
    worker: { identity: 'cpu@unit:1', pool: 'cpu' },
    checkpointEvery: 2,
    heartbeatMs: 60_000,
    epochEventMs: 0,
    ...over,
  } as unknown as ActivityDeps;
  return createFoldActivities(deps);
}

const storedFold = (inp: TrainFoldInput, attempt: number): FoldDoc => ({
  _id: foldIdOf(inp.searchId, inp.trialIndex, inp.fold),
  searchId: inp.searchId,
  trialId: `${inp.searchId}:${inp.trialIndex}`,
  trialIndex: inp.trialIndex,
  fold: inp.fold,
  model: inp.model,
  params: inp.params,
  status: 'completed',
  metrics: { accuracy: 0.75 },
  curve: [],
  epochsTrained: 6,
  splitHash: inp.planHash,
  backend: 'fake',
  worker: 'cpu@elsewhere:9',
  attempt,
  durationMs: 5,
  nTrain: 40,
  nVal: 20,
  createdAt: new Date(0).toISOString(),
  updatedAt: new Date(0).toISOString(),
});

test('a first attempt trains and writes its fold without reading the store first', async () => {
  const p = ports();
  const t = fakeTrainer();
  const summary = (await new MockActivityEnvironment({ attempt: 1 }).run(
    activities(p, t.trainer).trainFold,
    input(),
  )) as TrainFoldSummary;
  const id = foldIdOf('search-unit-abc', 4, 1);
  assert.deepEqual(p.calls, [`recordFold ${id}`], 'one write and no read');
  assert.equal(summary.status, 'completed');
  assert.equal(summary.reused, false);
  assert.equal(summary.primary, 1, 'the fake predicts the labels');
  const doc = p.folds.get(id);
  assert.equal(doc?.epochsTrained, 6);
  assert.equal(doc?.trainCpuMs, 12);
  assert.equal(doc?.nVal, 20);
});

test('a retried fold that an earlier attempt stored is reused without training', async () => {
  const inp = input();
  const p = ports({ stored: [storedFold(inp, 1)] });
  const t = fakeTrainer();
  const summary = (await new MockActivityEnvironment({ attempt: 2 }).run(
    activities(p, t.trainer).trainFold,
    inp,
  )) as TrainFoldSummary;
  assert.equal(t.jobs.length, 0, 'nothing trained');
  assert.equal(summary.reused, true);
  assert.equal(summary.attempt, 1);
  assert.equal(summary.metrics['accuracy'], 0.75);
  assert.deepEqual(p.calls, [`getFold ${foldIdOf(inp.searchId, inp.trialIndex, inp.fold)}`]);
});

test('a retried fold resumes from the checkpoint its heartbeat details name', async () => {
  const inp = input();
  const hb: FoldHeartbeat = { epoch: 5, checkpoint: 'checkpoints/x/epoch-4', checkpointEpoch: 4 };
  const p = ports({ artifacts: { 'checkpoints/x/epoch-4': new Uint8Array([4, 4]) } });
  const t = fakeTrainer();
  await new MockActivityEnvironment({ attempt: 3, heartbeatDetails: hb }).run(
    activities(p, t.trainer).trainFold,
    inp,
  );
  assert.deepEqual(t.jobs[0]?.resumeFrom, { epoch: 4, bytes: new Uint8Array([4, 4]) });
  const doc = p.folds.get(foldIdOf(inp.searchId, inp.trialIndex, inp.fold));
  assert.equal(doc?.resumedFromEpoch, 4);
  assert.equal(doc?.attempt, 3);
  assert.ok(p.calls.includes(`removeArtifacts checkpoints/${doc?._id}/`), 'its checkpoints are dropped');
});

test('a retried fold whose checkpoint is gone trains from the start', async () => {
  const hb: FoldHeartbeat = { epoch: 5, checkpoint: 'checkpoints/x/missing', checkpointEpoch: 4 };
  const p = ports();
  const t = fakeTrainer();
  await new MockActivityEnvironment({ attempt: 2, heartbeatDetails: hb }).run(
    activities(p, t.trainer).trainFold,
    input(),
  );
  assert.equal(t.jobs[0]?.resumeFrom, undefined);
  assert.equal([...p.folds.values()][0]?.resumedFromEpoch, undefined);
});

test('a checkpoint is stored under its attempt and heartbeat at once; the trainer gets the time floor', async () => {
  const p = ports();
  const t = fakeTrainer({ checkpointAt: [2, 4] });
  const env = new MockActivityEnvironment({ attempt: 2 });
  const beats: FoldHeartbeat[] = [];
  env.on('heartbeat', (d: FoldHeartbeat) => beats.push(d));
  let floor: number | undefined;
  const trainer: TrainerPort = {
    ...t.trainer,
    train: (job, hooks) => {
      floor = hooks.checkpointMinMs;
      return t.trainer.train(job, hooks);
    },
  };
  await env.run(activities(p, trainer, { checkpointMinMs: 10_000 }).trainFold, input());
  const id = foldIdOf('search-unit-abc', 4, 1);
  assert.equal(floor, 10_000, 'the trainer skips early checkpoints itself, before copying their bytes');
  assert.ok(p.calls.includes(`putArtifact checkpoints/${id}/attempt-2/epoch-2`));
  assert.ok(p.calls.includes(`putArtifact checkpoints/${id}/attempt-2/epoch-4`));
  assert.deepEqual(
    beats.map((b) => b.checkpointEpoch),
    [2, 4],
    'each stored checkpoint is heartbeat at once, and nothing else is before the interval',
  );
  assert.equal(beats[1]?.checkpoint, `checkpoints/${id}/attempt-2/epoch-4`);
});

test('epoch events are coalesced to at most one per epochEventMs, and each fold event is published', async () => {
  const every = ports();
  await new MockActivityEnvironment().run(
    activities(every, fakeTrainer().trainer, { epochEventMs: 0 }).trainFold,
    input(),
  );
  assert.equal(every.events.filter((e) => e.kind === 'epoch').length, 6);
  const coalesced = ports();
  await new MockActivityEnvironment().run(
    activities(coalesced, fakeTrainer().trainer, { epochEventMs: 60_000 }).trainFold,
    input(),
  );
  assert.equal(coalesced.events.filter((e) => e.kind === 'epoch').length, 0);
  assert.equal(coalesced.events.filter((e) => e.kind === 'fold').length, 1);
});

test('a cancelled fold stops training and writes nothing', async () => {
  let release: () => void = () => undefined;
  const hold = new Promise<void>((ok) => (release = ok));
  const p = ports();
  const t = fakeTrainer({ holdAt: 3, hold });
  const env = new MockActivityEnvironment();
  const run = env.run(activities(p, t.trainer).trainFold, input());
  await t.startedTraining;
  env.cancel('CANCELLED');
  release();
  await assert.rejects(run, (e: unknown) => e instanceof CancelledFailure);
  assert.deepEqual(p.calls, [], 'no fold document');
});

test('a fold stopped by worker shutdown is handed back as a retryable failure', async () => {
  let release: () => void = () => undefined;
  const hold = new Promise<void>((ok) => (release = ok));
  const p = ports();
  const t = fakeTrainer({ holdAt: 3, hold });
  const env = new MockActivityEnvironment();
  const run = env.run(activities(p, t.trainer).trainFold, input());
  await t.startedTraining;
  env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
  release();
  await assert.rejects(
    run,
    (e: unknown) => e instanceof ApplicationFailure && e.type === 'WorkerShutdown' && !e.nonRetryable,
  );
  assert.deepEqual(p.calls, []);
});

test("folds of one plan reuse the process's cached matrices, shared with the trainer thread", async () => {
  const p = ports();
  const t = fakeTrainer();
  const acts = activities(p, t.trainer);
  await new MockActivityEnvironment().run(acts.trainFold, input({ trialIndex: 0 }));
  await new MockActivityEnvironment().run(acts.trainFold, input({ trialIndex: 1 }));
  await new MockActivityEnvironment().run(acts.trainFold, input({ trialIndex: 2, fold: 2 }));
  const [a, b, c] = t.jobs;
  assert.equal(a?.xTrain, b?.xTrain, 'the same matrix object, not a copy');
  assert.equal(a?.yVal, b?.yVal);
  assert.notEqual(a?.xTrain, c?.xTrain, 'another fold has its own');
  assert.ok(a?.xTrain.buffer instanceof SharedArrayBuffer);
  const ds = dataset();
  const fold = planFolds(ds, cv, 7).folds[1]!;
  assert.equal(a?.yTrain.length, fold.train.length);
  assert.deepEqual(
    Array.from(a!.yVal),
    Array.from(fold.test, (i) => ds.y[i]),
  );
});

test('a fold whose plan changed fails without retries', async () => {
  const p = ports();
  await assert.rejects(
    new MockActivityEnvironment().run(
      activities(p, fakeTrainer().trainer).trainFold,
      input({ planHash: 'another' }),
    ),
    (e: unknown) => e instanceof ApplicationFailure && e.type === 'PlanMismatch' && e.nonRetryable,
  );
});

test('a fold asked for cost metrics records prediction ms per 1,000 rows, parameters and training seconds', async () => {
  const p = ports();
  const t = fakeTrainer();
  const trainer: TrainerPort = {
    ...t.trainer,
    train: async (job, hooks) => ({
      ...(await t.trainer.train(job, hooks)),
      predictMs: 5,
      paramCount: 123,
      durationMs: 2500,
    }),
  };
  const summary = (await new MockActivityEnvironment({ attempt: 1 }).run(
    activities(p, trainer).trainFold,
    input({ metrics: ['accuracy', 'predict_ms_per_1k', 'param_count', 'train_seconds'] }),
  )) as TrainFoldSummary;
  assert.deepEqual(summary.metrics, {
    accuracy: 1,
    predict_ms_per_1k: 250,
    param_count: 123,
    train_seconds: 2.5,
  });
  assert.equal(summary.primary, 1);
  assert.deepEqual(p.folds.get(foldIdOf('search-unit-abc', 4, 1))?.metrics, summary.metrics);
  const plain = (await new MockActivityEnvironment({ attempt: 1 }).run(
    activities(ports(), trainer).trainFold,
    input(),
  )) as TrainFoldSummary;
  assert.deepEqual(Object.keys(plain.metrics), ['accuracy'], 'no cost metric unless asked');
});
