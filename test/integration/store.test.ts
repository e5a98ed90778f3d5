import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connectStore, type Store } from '@foldwise/store';
import { foldIdOf, trialIdOf, type FoldDoc, type FoldStatus, type TrialDoc } from '@foldwise/spec';
import { stackEnv } from '../support/stack';

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

/** A finished trial document as the trial activity writes it (once, when the trial ends). */
const trialDoc = (
  sid: string,
  trialIndex: number,
  over: Partial<Omit<TrialDoc, '_id' | 'searchId' | 'trialIndex'>> = {},
): TrialDoc => ({
  _id: trialIdOf(sid, trialIndex),
  searchId: sid,
  trialIndex,
  model: 'mlp',
  params: { trialIndex },
  status: 'completed',
  foldCount: 2,
  foldsCompleted: 2,
  metrics: { accuracy: { mean: 0.8, std: 0.01, ci95: [0.7, 0.9], n: 2 } },
  epochsTrained: 2,
  createdAt: now(),
  updatedAt: now(),
  finishedAt: now(),
  ...over,
});

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
  await store.searches.update(sid, { comparison });
  assert.deepEqual((await store.searches.get(sid))?.comparison, comparison);

  const fold = foldDoc(sid, 0, 0, {
    params,
    confusionMatrix: [
      [5, 1],
      [2, 7],
    ],
  });
  await store.folds.record(fold);
  assert.deepEqual(await store.folds.get(fold._id), fold);
  await store.trials.insert(
    trialDoc(sid, 0, { params, status: 'pruned', prunedBy: { kind: 'racing', evidence: { matrix } } }),
  );
  const trial = await store.trials.get(trialIdOf(sid, 0));
  assert.deepEqual(trial?.params, params);
  assert.deepEqual(trial?.prunedBy?.evidence, { matrix });
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

void test('a trial is written once: a second insert of the same trial writes nothing and keeps the first', async () => {
  const sid = searchId('once');
  const first = trialDoc(sid, 0, {
    status: 'pruned',
    prunedBy: { kind: 'racing', evidence: { pValue: 0.003 } },
    foldsSkipped: [1],
    foldsCompleted: 1,
  });
  assert.deepEqual(await store.trials.insert(first), { written: true });
  assert.deepEqual(await store.trials.insert({ ...first, status: 'completed', foldsSkipped: [] }), {
    written: false,
  });
  assert.deepEqual(await store.trials.get(trialIdOf(sid, 0)), first);
  await assert.rejects(
    store.trials.insert({ ...trialDoc(sid, 1), _id: 'wrong' }),
    (e: Error) => /trials\.insert\(doc\)/.test(e.message) && /_id: must be/.test(e.message),
  );
  assert.equal(await store.trials.get(trialIdOf(sid, 1)), null);
});

void test('the leaderboard ranks completed trials by mean in the requested direction', async () => {
  const sid = searchId('lb');
  const means = [0.7, 0.9, 0.8, 0.95, 0.6];
  for (const [t, m] of means.entries()) {
    await store.trials.insert(
      trialDoc(sid, t, {
        status: t === 3 ? 'pruned' : 'completed',
        metrics: { accuracy: { mean: m, std: 0.014, ci95: [m - 0.1, m + 0.1], n: 2 } },
      }),
    );
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

void test('searches are created once, patched in one update and listed', async () => {
  const sid = searchId('search');
  const init = {
    _id: sid,
    name: 'iris-mlp',
    spec: { name: 'iris-mlp', models: [] },
    specHash: 'h1',
    datasetHash: 'd1',
    plan: { nFolds: 3 },
  };
  assert.deepEqual(await store.searches.create(init), { written: true });
  assert.deepEqual(await store.searches.create({ ...init, name: 'other' }), { written: false });
  const created = await store.searches.get(sid);
  assert.equal(created?.name, 'iris-mlp', 'the second create left the first as it was');
  assert.equal(created?.status, 'running');
  assert.deepEqual(created?.plan, { nFolds: 3 });

  const counts = {
    trials: 3,
    trialsCompleted: 1,
    trialsPruned: 0,
    trialsFailed: 1,
    folds: 9,
    foldsCompleted: 2,
  };
  await store.searches.update(sid, {
    status: 'completed',
    counts,
    refit: { trialId: trialIdOf(sid, 0), artifact: `models/${sid}`, testMetrics: undefined, nTest: 0 },
    finishedAt: now(),
  });
  const updated = await store.searches.get(sid);
  assert.equal(updated?.status, 'completed');
  assert.deepEqual(updated?.counts, counts);
  assert.equal(updated?.refit?.artifact, `models/${sid}`);
  assert.equal(updated?.name, 'iris-mlp');
  await assert.rejects(store.searches.update(sid, { bogus: 1 } as never), /searches\.update\(patch\)/);
  await assert.rejects(store.searches.update(`${sid}-none`, { status: 'failed' }), /does not exist/);
  const listed = await store.searches.list({ status: 'completed', limit: 50 });
  assert.ok(listed.some((s) => s._id === sid));
  assert.ok(listed.every((s) => s.status === 'completed'));
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
