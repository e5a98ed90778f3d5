import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dominates } from '@foldwise/compare';
import type { TrialSummary } from '@foldwise/spec';
import { constraintViolation, extraMetrics, paretoEntries, resolveObjectives } from './objectives';

const summary = (i: number, acc: number[], ms: number[]): TrialSummary => ({
  trialIndex: i,
  trialId: `s:${i}`,
  model: 'mlp',
  params: { i },
  status: 'completed',
  foldScores: acc,
  metrics: {},
  foldMetrics: { accuracy: acc, predict_ms_per_1k: ms },
  epochsTrained: 1,
});

test('objective directions default to the metric’s own and extra metrics are the ones not already recorded', () => {
  const spec = {
    objectives: [
      { metric: 'accuracy' },
      { metric: 'predict_ms_per_1k' },
      { metric: 'f1_macro', direction: 'minimize' as const },
    ],
    constraints: [
      { metric: 'param_count', max: 10 },
      { metric: 'accuracy', min: 0.5 },
    ],
  };
  assert.deepEqual(
    resolveObjectives(spec).map((o) => o.greaterIsBetter),
    [true, false, false],
  );
  assert.deepEqual(extraMetrics(spec, ['accuracy', 'f1_macro']), ['predict_ms_per_1k', 'param_count']);
  assert.deepEqual(resolveObjectives({}), []);
});

test('constraint violation sums how far each fold mean is past its bound, and a missing metric counts 1', () => {
  const m = (mean: number) => ({ mean, std: null, ci95: null, n: 5 });
  const constraints = [
    { metric: 'param_count', max: 100 },
    { metric: 'accuracy', min: 0.9, max: 1 },
  ];
  assert.equal(constraintViolation(constraints, { param_count: m(50), accuracy: m(0.95) }), 0);
  assert.equal(constraintViolation(constraints, { param_count: m(150), accuracy: m(0.85) }), 50 + 0.9 - 0.85);
  assert.equal(constraintViolation(constraints, { accuracy: m(0.95) }), 1);
  assert.equal(constraintViolation(undefined, {}), 0);
});

test('the Pareto entries are the front first, mutually non-dominated, in the objectives’ own orientation, and seeded', () => {
  const trials = [
    summary(0, [0.9, 0.92, 0.91], [5, 6, 5.5]),
    summary(1, [0.8, 0.82, 0.81], [9, 9, 9]),
    summary(2, [0.7, 0.72, 0.71], [1, 1.2, 1.1]),
    summary(3, [0.89, 0.93, 0.9], [5, 5.5, 5.3]),
  ];
  const objectives = resolveObjectives({
    objectives: [{ metric: 'accuracy' }, { metric: 'predict_ms_per_1k' }],
  });
  const entries = paretoEntries(trials, objectives, 7);
  assert.deepEqual(entries, paretoEntries(trials, objectives, 7));
  assert.equal(entries.length, 4);
  assert.deepEqual(
    entries
      .filter((e) => e.onFront)
      .map((e) => e.trialIndex)
      .sort(),
    [0, 2, 3],
  );
  assert.equal(entries[entries.length - 1]?.trialIndex, 1);
  assert.equal(entries[entries.length - 1]?.pNonDominated, 0);
  const first = entries.find((e) => e.trialIndex === 0);
  assert.ok(Math.abs((first?.objectives[1] as number) - 5.5) < 1e-12);
  const front = entries
    .filter((e) => e.onFront)
    .map((e) => [e.objectives[0] as number, -(e.objectives[1] as number)]);
  for (const a of front) for (const b of front) assert.equal(dominates(a, b), false);
  for (const e of entries) assert.ok(e.pNonDominated >= 0 && e.pNonDominated <= 1);
  assert.ok((entries.find((e) => e.trialIndex === 2)?.pNonDominated ?? 0) === 1);
  const noFolds = { ...summary(4, [1, 1, 1], [0, 0, 0]), foldMetrics: { accuracy: [1, 1, 1] } };
  assert.equal(
    paretoEntries([...trials, noFolds], objectives, 7).some((e) => e.trialIndex === 4),
    false,
  );
});
