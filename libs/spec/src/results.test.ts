import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldIdOf, parseFoldId, parseTrialId, parseTrialWorkflowId, trialIdOf, trialWorkflowId } from './ids';
import { FoldDocSchema, SearchDocSchema, TrialDocSchema, type FoldDoc } from './results';

const now = '2026-11-29T14:00:00.000Z';
const foldDoc = (): FoldDoc => ({
  _id: 's1:3:2',
  searchId: 's1',
  trialId: 's1:3',
  trialIndex: 3,
  fold: 2,
  model: 'mlp',
  params: { learningRate: 0.01, layers: [32, 16], activation: 'relu' },
  status: 'completed',
  metrics: { accuracy: 0.91, f1Macro: 0.88 },
  confusionMatrix: [
    [5, 1],
    [0, 4],
  ],
  curve: [{ epoch: 0, trainLoss: 0.7, valLoss: 0.6, valScore: null }],
  epochsTrained: 1,
  splitHash: 'abc',
  backend: 'wasm',
  worker: 'w1',
  attempt: 1,
  durationMs: 12.5,
  nTrain: 80,
  nVal: 20,
  createdAt: now,
  updatedAt: now,
});

void test('trial and fold ids follow the data model', () => {
  assert.equal(trialIdOf('s1', 3), 's1:3');
  assert.equal(foldIdOf('s1', 3, 2), 's1:3:2');
  assert.equal(trialWorkflowId('search-x-ab', 7), 'search-x-ab-trial-7');
});

void test('every id parses back to what made it, and a malformed one is refused with the id quoted', () => {
  for (const [searchId, trialIndex, fold] of [
    ['search-digits-demo-1a2b3c4d', 0, 0],
    ['search-a-b', 12, 4],
    ['s:with:colons', 3, 9],
  ] as const) {
    assert.deepEqual(parseTrialId(trialIdOf(searchId, trialIndex)), { searchId, trialIndex });
    assert.deepEqual(parseFoldId(foldIdOf(searchId, trialIndex, fold)), { searchId, trialIndex, fold });
    assert.deepEqual(parseTrialWorkflowId(trialWorkflowId(searchId, trialIndex)), { searchId, trialIndex });
  }
  for (const bad of ['', 'nocolon', 's:-1', 's:1.5', ':3', 's:03']) {
    assert.throws(
      () => parseTrialId(bad),
      (e: Error) => e.message.includes(JSON.stringify(bad)),
    );
  }
  for (const bad of ['s:1', 's:1:x', 's:1:-2', 's:1:01']) {
    assert.throws(() => parseFoldId(bad), /foldId must be|trialId must be/);
  }
  assert.throws(() => parseTrialWorkflowId('search-x'), /workflowId must be/);
});

void test('a fold document survives a JSON round trip through its schema', () => {
  const doc = foldDoc();
  assert.deepEqual(FoldDocSchema.parse(JSON.parse(JSON.stringify(doc))), doc);
});

void test('a fold document whose ids disagree with its fields is rejected at the offending path', () => {
  const r = FoldDocSchema.safeParse({ ...foldDoc(), _id: 's1:3:9', trialId: 's1:4' });
  assert.equal(r.success, false);
  assert.deepEqual(r.error?.issues.map((i) => i.path.join('.')).sort(), ['_id', 'trialId']);
  const bad = FoldDocSchema.safeParse({ ...foldDoc(), status: 'done', attempt: 0 });
  assert.deepEqual(bad.error?.issues.map((i) => i.path.join('.')).sort(), ['attempt', 'status']);
});

void test('metric names that cannot be MongoDB field paths are rejected', () => {
  for (const name of ['a.b', '$where', '1st', '']) {
    const r = FoldDocSchema.safeParse({ ...foldDoc(), metrics: { [name]: 1 } });
    assert.equal(r.success, false, name);
    assert.equal(r.error?.issues[0]?.path[0], 'metrics');
  }
});

void test('a trial document allows std and ci95 to be null for a single fold', () => {
  const trial = {
    _id: 's1:3',
    searchId: 's1',
    trialIndex: 3,
    model: 'mlp',
    params: {},
    status: 'pruned',
    foldCount: 5,
    foldsCompleted: 1,
    metrics: { accuracy: { mean: 0.9, std: null, ci95: null, n: 1 } },
    epochsTrained: 3,
    prunedBy: { kind: 'racing', evidence: { pValue: 0.01 } },
    createdAt: now,
    updatedAt: now,
  };
  assert.deepEqual(TrialDocSchema.parse(trial), trial);
  assert.equal(TrialDocSchema.safeParse({ ...trial, _id: 's1:4' }).success, false);
  assert.equal(
    TrialDocSchema.safeParse({ ...trial, metrics: { accuracy: { mean: 0.9, std: -1, ci95: null, n: 1 } } })
      .success,
    false,
  );
});

void test('a search id containing a subject separator is rejected', () => {
  const search = {
    _id: 'a.b',
    name: 'n',
    spec: { any: ['json'] },
    specHash: 'h',
    datasetHash: 'd',
    status: 'running',
    counts: { trials: 0, trialsCompleted: 0, trialsPruned: 0, trialsFailed: 0, folds: 0, foldsCompleted: 0 },
    createdAt: now,
    updatedAt: now,
  };
  assert.deepEqual(
    SearchDocSchema.safeParse(search).error?.issues.map((i) => i.path.join('.')),
    ['_id'],
  );
  assert.equal(SearchDocSchema.safeParse({ ...search, _id: 'a-b' }).success, true);
});
