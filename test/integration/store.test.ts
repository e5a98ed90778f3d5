import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connectStore, type Store } from '@foldwise/store';
import { foldIdOf, trialIdOf, type FoldDoc, type FoldStatus } from '@foldwise/spec';
import { stackEnv } from '../support/stack';

// Student-t 0.975 quantiles from scipy 1.10 (`scipy.stats.t.ppf(0.975, df)`), the independent reference.
const T975: Record<number, number> = { 2: 4.302652729911275, 3: 3.182446305284263, 4: 2.7764451051977987 };

const dbName = `foldwise_test_store_${randomBytes(4).toString('hex')}`;
let store: Store;

const now = (): string => new Date().toISOString();
const searchId = (tag: string): string => `s-${tag}-${randomBytes(3).toString('hex')}`;

const foldDoc = (
  sid: string,
  trialIndex: number,
  fold: number,
  over: Partial<Omit<FoldDoc, '_id' | 'searchId' | 'trialId' | 'trialIndex' | 'fold'>> = {},
): FoldDoc => ({
  _id: foldIdOf(sid, trialIndex, fold),
  searchId: sid,
  trialId: trialIdOf(sid, trialIndex),
  trialIndex,
  fold,
  model: 'mlp',
  params: { learningRate: 0.01, hidden: [16, 8] },
  status: 'completed' as FoldStatus,
  metrics: { accuracy: 0.8 },
  curve: [{ epoch: 0, trainLoss: 0.9, valLoss: 0.8, valScore: 0.7 }],
  epochsTrained: 1,
  splitHash: 'split-1',
  backend: 'cpu',
  worker: 'test-worker',
  attempt: 1,
  durationMs: 10,
  nTrain: 80,
  nVal: 20,
  createdAt: now(),
  updatedAt: now(),
  ...over,
});

const startTrial = async (sid: string, trialIndex: number, foldCount: number): Promise<void> => {
  await store.trials.start({
    _id: trialIdOf(sid, trialIndex),
    searchId: sid,
    trialIndex,
    model: 'mlp',
    params: { trialIndex },
    foldCount,
  });
};

before(async () => {
  const env = stackEnv();
  store = await connectStore({ uri: env.MONGODB_URI, dbName });
  await store.ensureIndexes();
  await store.ensureIndexes();
});

after(async () => {
  await store.db.dropDatabase();
  await store.close();
});

void test('recording the same fold twice stores one document and returns the first', async () => {
  const sid = searchId('dup');
  const doc = foldDoc(sid, 0, 0);
  assert.deepEqual(await store.folds.record(doc), { written: true });
  const again = await store.folds.record({ ...doc, metrics: { accuracy: 0.1 }, updatedAt: now() });
  assert.equal(again.written, false);
  assert.deepEqual(again.existing, doc);
  assert.equal(await store.folds.count(sid), 1);
  assert.deepEqual(await store.folds.get(doc._id), doc);
});

void test('concurrent records of one fold write exactly once', async () => {
  const sid = searchId('race');
  const results = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      store.folds.record(foldDoc(sid, 0, 1, { metrics: { accuracy: i / 10 } })),
    ),
  );
  assert.equal(results.filter((r) => r.written).length, 1);
  assert.equal(await store.folds.count(sid), 1);
});

void test('a stale attempt never overwrites a newer one and a completed fold is final', async () => {
  const sid = searchId('stale');
  const failed2 = foldDoc(sid, 0, 0, { attempt: 2, status: 'failed', metrics: {}, error: 'worker lost' });
  assert.equal((await store.folds.record(failed2)).written, true);

  const late1 = await store.folds.record(foldDoc(sid, 0, 0, { attempt: 1, metrics: { accuracy: 0.5 } }));
  assert.equal(late1.written, false);
  assert.deepEqual(late1.existing, failed2);

  const done3 = foldDoc(sid, 0, 0, { attempt: 3, metrics: { accuracy: 0.9 } });
  const r3 = await store.folds.record(done3);
  assert.equal(r3.written, true);
  assert.deepEqual(r3.existing, failed2);

  const r4 = await store.folds.record(foldDoc(sid, 0, 0, { attempt: 4, metrics: { accuracy: 0.1 } }));
  assert.equal(r4.written, false);
  assert.deepEqual(r4.existing, done3);
  assert.deepEqual(await store.folds.forTrial(trialIdOf(sid, 0)), [done3]);
});

void test('documents holding arrays of arrays round-trip although FerretDB v1 rejects nested arrays', async () => {
  const sid = searchId('nested');
  const matrix = [
    [3, 1],
    [0, [4, 5]],
  ] as unknown as number[][];
  const params = { hidden: [[64, 32], [16]], tag: { __array__: 'not a wrapper' }, empty: [[]] };
  const spec = { name: 'n', space: { hidden: { type: 'choice', values: [[64], [64, 32]] } } };
  const search = await store.searches.create({ _id: sid, name: 'n', spec, specHash: 'h', datasetHash: 'd' });
  assert.equal(search.written, true);
  assert.deepEqual((await store.searches.get(sid))?.spec, spec);
  const comparison = {
    pValues: [
      [1, 0.03],
      [0.03, 1],
    ],
  };
  assert.deepEqual((await store.searches.update(sid, { comparison })).comparison, comparison);

  const fold = foldDoc(sid, 0, 0, {
    params,
    confusionMatrix: [
      [5, 1],
      [2, 7],
    ],
  });
  await store.folds.record(fold);
  assert.deepEqual(await store.folds.get(fold._id), fold);
  await store.trials.start({
    _id: trialIdOf(sid, 0),
    searchId: sid,
    trialIndex: 0,
    model: 'mlp',
    params,
    foldCount: 1,
  });
  const finished = await store.trials.finish(trialIdOf(sid, 0), {
    status: 'pruned',
    prunedBy: { kind: 'racing', evidence: { matrix } },
  });
  assert.deepEqual(finished.trial.params, params);
  assert.deepEqual(finished.trial.prunedBy?.evidence, { matrix });
  await store.artifacts.put(`nested/${sid}`, new Uint8Array([1]), { shape: [[2, 2]] });
  assert.deepEqual((await store.artifacts.read(`nested/${sid}`))?.metadata, { shape: [[2, 2]] });
});

void test('an invalid fold document is refused with the offending fields named', async () => {
  const sid = searchId('bad');
  await assert.rejects(
    store.folds.record({ ...foldDoc(sid, 0, 0), _id: 'wrong', attempt: 0 }),
    (e: Error) =>
      /folds\.record\(doc\)/.test(e.message) && /_id: must be/.test(e.message) && /attempt:/.test(e.message),
  );
  assert.equal(await store.folds.count(sid), 0);
});

void test('trial aggregates equal what the stored fold documents imply', async () => {
  const sid = searchId('agg');
  await startTrial(sid, 2, 6);
  const accuracies = [0.81, 0.86, 0.79, 0.9];
  const losses = [0.42, 0.35, 0.51];
  for (const [fold, acc] of accuracies.entries()) {
    const metrics: Record<string, number> = { accuracy: acc };
    if (fold < losses.length) metrics['logLoss'] = losses[fold] ?? 0;
    if (fold === 0) metrics['onlyOnce'] = 7;
    await store.folds.record(foldDoc(sid, 2, fold, { metrics, epochsTrained: 3 + fold }));
  }
  await store.folds.record(
    foldDoc(sid, 2, 4, { status: 'failed', metrics: { accuracy: 0.01 }, epochsTrained: 2 }),
  );
  await store.folds.record(
    foldDoc(sid, 2, 5, { status: 'pruned', metrics: { accuracy: 0.02 }, epochsTrained: 1 }),
  );

  const trial = await store.trials.aggregate(trialIdOf(sid, 2));

  const stored = (await store.folds.forTrial(trialIdOf(sid, 2))).filter((f) => f.status === 'completed');
  for (const name of ['accuracy', 'logLoss']) {
    const xs = stored.flatMap((f) => (f.metrics[name] === undefined ? [] : [f.metrics[name]]));
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const half = (T975[n - 1] ?? Number.NaN) * (std / Math.sqrt(n));
    const got = trial.metrics[name];
    assert.ok(got, `metric ${name} aggregated`);
    assert.equal(got.n, n);
    assert.ok(Math.abs(got.mean - mean) < 1e-12, `${name} mean ${got.mean} vs ${mean}`);
    assert.ok(Math.abs((got.std ?? Number.NaN) - std) < 1e-12, `${name} std ${got.std} vs ${std}`);
    assert.ok(Math.abs((got.ci95?.[0] ?? Number.NaN) - (mean - half)) < 1e-9, `${name} ci low`);
    assert.ok(Math.abs((got.ci95?.[1] ?? Number.NaN) - (mean + half)) < 1e-9, `${name} ci high`);
  }
  assert.deepEqual(trial.metrics['onlyOnce'], { mean: 7, std: null, ci95: null, n: 1 });
  assert.equal(trial.foldsCompleted, 4);
  assert.equal(trial.epochsTrained, 3 + 4 + 5 + 6 + 2 + 1);
  assert.equal(trial.foldCount, 6);
  assert.equal(trial.status, 'running');
  assert.deepEqual(await store.trials.aggregate(trialIdOf(sid, 2)).then((t) => t.metrics), trial.metrics);
});

void test('aggregating a trial that has folds but no trial document creates it from the folds', async () => {
  const sid = searchId('orphan');
  await store.folds.record(foldDoc(sid, 7, 0, { metrics: { accuracy: 0.6 } }));
  await store.folds.record(foldDoc(sid, 7, 1, { metrics: { accuracy: 0.8 } }));
  const trial = await store.trials.aggregate(trialIdOf(sid, 7));
  assert.equal(trial.foldCount, 2);
  assert.equal(trial.model, 'mlp');
  assert.equal(trial.status, 'running');
  assert.ok(Math.abs((trial.metrics['accuracy']?.mean ?? 0) - 0.7) < 1e-12);
  await assert.rejects(store.trials.aggregate(trialIdOf(sid, 8)), /has no trial document and no folds/);
  await assert.rejects(store.trials.aggregate('no-index'), /trialId must be/);
});

void test('finishing a trial is repeatable and keeps its first final status', async () => {
  const sid = searchId('finish');
  await startTrial(sid, 0, 2);
  assert.equal(
    (
      await store.trials.start({
        _id: trialIdOf(sid, 0),
        searchId: sid,
        trialIndex: 0,
        model: 'x',
        params: {},
        foldCount: 9,
      })
    ).written,
    false,
  );
  await store.folds.record(foldDoc(sid, 0, 0, { metrics: { accuracy: 0.7 } }));
  const first = await store.trials.finish(trialIdOf(sid, 0), {
    status: 'pruned',
    prunedBy: { kind: 'racing', evidence: { pValue: 0.003 } },
    foldsSkipped: [1],
  });
  assert.equal(first.written, true);
  assert.equal(first.trial.status, 'pruned');
  assert.deepEqual(first.trial.foldsSkipped, [1]);
  assert.equal(first.trial.foldCount, 2);
  assert.equal(first.trial.metrics['accuracy']?.mean, 0.7);
  const second = await store.trials.finish(trialIdOf(sid, 0), { status: 'completed' });
  assert.equal(second.written, false);
  assert.equal(second.trial.status, 'pruned');
  assert.deepEqual(second.trial.prunedBy, first.trial.prunedBy);
  await assert.rejects(
    store.trials.finish(trialIdOf(sid, 0), { status: 'running' as 'completed' }),
    /finish\.status must be a final/,
  );
  const upserted = await store.trials.upsert({ ...first.trial, status: 'running' });
  assert.equal(upserted.written, false);
  assert.equal((await store.trials.get(trialIdOf(sid, 0)))?.status, 'pruned');
});

void test('the leaderboard ranks completed trials by mean in the requested direction', async () => {
  const sid = searchId('lb');
  const means = [0.7, 0.9, 0.8, 0.95, 0.6];
  for (const [t, m] of means.entries()) {
    await startTrial(sid, t, 2);
    await store.folds.record(foldDoc(sid, t, 0, { metrics: { accuracy: m - 0.01 } }));
    await store.folds.record(foldDoc(sid, t, 1, { metrics: { accuracy: m + 0.01 } }));
    await store.trials.finish(trialIdOf(sid, t), t === 3 ? { status: 'pruned' } : { status: 'completed' });
  }
  const expectedDesc = [...means.entries()]
    .filter(([t]) => t !== 3)
    .sort(([, a], [, b]) => b - a)
    .map(([t]) => trialIdOf(sid, t));
  const desc = await store.leaderboard(sid, { metric: 'accuracy', greaterIsBetter: true });
  assert.deepEqual(
    desc.map((r) => r.trial._id),
    expectedDesc,
  );
  assert.deepEqual(
    desc.map((r) => r.rank),
    [1, 2, 3, 4],
  );
  const asc = await store.leaderboard(sid, { metric: 'accuracy', greaterIsBetter: false, limit: 2 });
  assert.deepEqual(
    asc.map((r) => r.trial._id),
    [...expectedDesc].reverse().slice(0, 2),
  );
  const withPruned = await store.leaderboard(sid, {
    metric: 'accuracy',
    greaterIsBetter: true,
    statuses: ['completed', 'pruned'],
  });
  assert.equal(withPruned[0]?.trial._id, trialIdOf(sid, 3));
  assert.deepEqual(await store.leaderboard(sid, { metric: 'missing', greaterIsBetter: true }), []);
  await assert.rejects(store.leaderboard(sid, { metric: 'a.b', greaterIsBetter: true }), /opts\.metric/);
});

void test('searches are created once, patched, listed and recount from trials and folds', async () => {
  const sid = searchId('search');
  const init = {
    _id: sid,
    name: 'iris-mlp',
    spec: { name: 'iris-mlp', models: [] },
    specHash: 'h1',
    datasetHash: 'd1',
  };
  assert.equal((await store.searches.create(init)).written, true);
  const again = await store.searches.create({ ...init, name: 'other' });
  assert.equal(again.written, false);
  assert.equal(again.existing?.name, 'iris-mlp');
  assert.equal(again.existing?.status, 'running');

  for (const t of [0, 1, 2]) await startTrial(sid, t, 3);
  await store.folds.record(foldDoc(sid, 0, 0));
  await store.folds.record(foldDoc(sid, 0, 1));
  await store.folds.record(foldDoc(sid, 1, 0, { status: 'failed', metrics: {} }));
  await store.trials.finish(trialIdOf(sid, 0), { status: 'completed' });
  await store.trials.finish(trialIdOf(sid, 1), { status: 'failed', error: 'boom' });
  const counts = await store.searches.refreshCounts(sid);
  assert.deepEqual(counts, {
    trials: 3,
    trialsCompleted: 1,
    trialsPruned: 0,
    trialsFailed: 1,
    folds: 9,
    foldsCompleted: 2,
  });

  const updated = await store.searches.update(sid, {
    status: 'completed',
    refit: { trialId: trialIdOf(sid, 0), artifact: `models/${sid}`, testMetrics: undefined, nTest: 0 },
    finishedAt: now(),
  });
  assert.deepEqual(await store.searches.get(sid), updated);
  assert.equal(updated.status, 'completed');
  assert.deepEqual(updated.counts, counts);
  assert.equal(updated.refit?.artifact, `models/${sid}`);
  await assert.rejects(store.searches.update(sid, { bogus: 1 } as never), /searches\.update\(patch\)/);
  await assert.rejects(store.searches.update(`${sid}-none`, { status: 'failed' }), /does not exist/);
  const listed = await store.searches.list({ status: 'completed', limit: 50 });
  assert.ok(listed.some((s) => s._id === sid));
  assert.ok(listed.every((s) => s.status === 'completed'));
});

void test('search counts come from the trial documents alone, concurrent finishes included, and a recount is repeatable', async () => {
  const sid = searchId('counts');
  await store.searches.create({
    _id: sid,
    name: 'counts',
    spec: { name: 'counts', models: [] },
    specHash: 'h',
    datasetHash: 'd',
  });
  await Promise.all([0, 1, 2, 3, 4, 5].map((t) => startTrial(sid, t, 2)));
  assert.deepEqual(await store.searches.refreshCounts(sid), {
    trials: 6,
    trialsCompleted: 0,
    trialsPruned: 0,
    trialsFailed: 0,
    folds: 12,
    foldsCompleted: 0,
  });
  await Promise.all(
    [0, 1, 2, 3, 4].flatMap((t) => [
      store.folds.record(foldDoc(sid, t, 0)),
      store.folds.record(foldDoc(sid, t, 1)),
    ]),
  );
  assert.equal(
    (await store.searches.refreshCounts(sid)).foldsCompleted,
    0,
    'folds of running trials count once their trial aggregates them',
  );
  const outcomes = ['completed', 'completed', 'pruned', 'failed'] as const;
  await Promise.all(
    outcomes.map((status, t) =>
      store.trials.finish(trialIdOf(sid, t), status === 'failed' ? { status, error: 'x' } : { status }),
    ),
  );
  await store.trials.aggregate(trialIdOf(sid, 4));
  const expected = {
    trials: 6,
    trialsCompleted: 2,
    trialsPruned: 1,
    trialsFailed: 1,
    folds: 12,
    foldsCompleted: 10,
  };
  assert.deepEqual(await store.searches.refreshCounts(sid), expected);
  assert.equal(
    await store.folds.count(sid, { status: 'completed' }),
    expected.foldsCompleted,
    'equal to the fold documents',
  );
  await store.trials.finish(trialIdOf(sid, 0), { status: 'completed' });
  assert.deepEqual(
    await store.searches.refreshCounts(sid),
    expected,
    'finishing a finished trial again changes nothing',
  );
  assert.deepEqual((await store.searches.get(sid))?.counts, expected);
});

void test('artifacts round-trip through GridFS, and repeated writes keep one revision', async () => {
  const prefix = `models/${searchId('art')}`;
  const big = new Uint8Array(700_000).map((_, i) => (i * 31) % 251);
  const first = await store.artifacts.put(`${prefix}/weights.bin`, big, { epoch: 3 });
  assert.equal(first.written, true);
  const repeat = await store.artifacts.put(`${prefix}/weights.bin`, big, { epoch: 3 });
  assert.deepEqual(repeat, { id: first.id, written: false });
  assert.deepEqual(await store.artifacts.get(`${prefix}/weights.bin`), big);

  const newer = new Uint8Array([1, 2, 3]);
  assert.equal((await store.artifacts.put(`${prefix}/weights.bin`, newer, { epoch: 4 })).written, true);
  const read = await store.artifacts.read(`${prefix}/weights.bin`);
  assert.deepEqual(read?.bytes, newer);
  assert.deepEqual(read?.metadata, { epoch: 4 });
  assert.equal(
    await store.db.collection('artifacts.files').countDocuments({ filename: `${prefix}/weights.bin` }),
    1,
  );

  await store.artifacts.put(`${prefix}/model.json`, new TextEncoder().encode('{"format":"layers-model"}'));
  await store.artifacts.put(`${prefix}x/other`, new Uint8Array([9]));
  assert.deepEqual(await store.artifacts.list(`${prefix}/`), [
    `${prefix}/model.json`,
    `${prefix}/weights.bin`,
  ]);
  assert.equal(await store.artifacts.exists(`${prefix}/model.json`), true);
  assert.equal(await store.artifacts.exists(`${prefix}/absent`), false);
  assert.equal(await store.artifacts.get(`${prefix}/absent`), null);
  assert.equal(await store.artifacts.remove(`${prefix}/model.json`), 1);
  assert.equal(await store.artifacts.exists(`${prefix}/model.json`), false);

  await store.artifacts.put(`${prefix}/ckpt/a`, big);
  await store.artifacts.put(`${prefix}/ckpt/b`, new Uint8Array([4]));
  const chunksBefore = await store.db.collection('artifacts.chunks').countDocuments({});
  assert.deepEqual(await store.artifacts.removePrefix(`${prefix}/ckpt/`), [
    `${prefix}/ckpt/a`,
    `${prefix}/ckpt/b`,
  ]);
  assert.deepEqual(await store.artifacts.list(`${prefix}/ckpt/`), []);
  assert.equal(
    chunksBefore - (await store.db.collection('artifacts.chunks').countDocuments({})),
    4,
    'their chunks go too (3 of 700 kB, 1 of 1 byte)',
  );
  assert.deepEqual(
    await store.artifacts.list(`${prefix}/`),
    [`${prefix}/weights.bin`],
    'names outside the prefix stay',
  );
  assert.deepEqual(await store.artifacts.list(`${prefix}x/`), [`${prefix}x/other`]);
  await assert.rejects(store.artifacts.removePrefix(''), /prefix must not be empty/);
});
