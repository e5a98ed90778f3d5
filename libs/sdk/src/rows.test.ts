import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FoldDoc, TrialDoc } from '@foldwise/spec';
import { foldRow, trialRow } from './rows';

const at = '2026-12-04T10:00:00.000Z';

test("a trial row names params and metric summaries as scikit-learn's cv_results_ does", () => {
  const t: TrialDoc = {
    _id: 's:3',
    searchId: 's',
    trialIndex: 3,
    model: 'mlp',
    params: { units: 32, layers: [64, 32] },
    status: 'completed',
    foldCount: 5,
    foldsCompleted: 5,
    metrics: {
      accuracy: { mean: 0.9, std: 0.02, ci95: [0.87, 0.93], n: 5 },
      f1_macro: { mean: 0.88, std: null, ci95: null, n: 1 },
    },
    epochsTrained: 100,
    createdAt: at,
    updatedAt: at,
  };
  assert.deepEqual(trialRow(t), {
    searchId: 's',
    trialId: 's:3',
    trialIndex: 3,
    model: 'mlp',
    status: 'completed',
    foldsCompleted: 5,
    epochsTrained: 100,
    error: null,
    createdAt: at,
    finishedAt: null,
    param_units: 32,
    param_layers: [64, 32],
    mean_accuracy: 0.9,
    std_accuracy: 0.02,
    ci95_low_accuracy: 0.87,
    ci95_high_accuracy: 0.93,
    mean_f1_macro: 0.88,
    std_f1_macro: null,
    ci95_low_f1_macro: null,
    ci95_high_f1_macro: null,
  });
});

test('a fold row carries its identity, params and each metric by name, and leaves curves and matrices out', () => {
  const f: FoldDoc = {
    _id: 's:3:1',
    searchId: 's',
    trialId: 's:3',
    trialIndex: 3,
    fold: 1,
    model: 'mlp',
    params: { units: 32 },
    status: 'completed',
    metrics: { accuracy: 0.9, neg_log_loss: -0.3 },
    confusionMatrix: [
      [1, 0],
      [0, 1],
    ],
    curve: [{ epoch: 0, trainLoss: 1, valLoss: 1, valScore: 0.5 }],
    epochsTrained: 20,
    splitHash: 'abc',
    backend: 'wasm',
    worker: 'cpu@host:1',
    attempt: 1,
    durationMs: 1200,
    nTrain: 120,
    nVal: 30,
    createdAt: at,
    updatedAt: at,
  };
  const row = foldRow(f);
  assert.equal(row.accuracy, 0.9);
  assert.equal(row.neg_log_loss, -0.3);
  assert.equal(row.param_units, 32);
  assert.equal(row.fold, 1);
  assert.equal(row.error, null);
  assert.equal('curve' in row, false);
  assert.equal('confusionMatrix' in row, false);
  assert.equal(
    Object.values(row).every((v) => v === null || typeof v !== 'object'),
    true,
  );
});
