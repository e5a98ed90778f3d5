import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  autoRepeatsMax,
  formatIssues,
  plannedFolds,
  parseSearchSpec,
  searchSpecJsonSchema,
  validateSearchSpec,
  InvalidSpecError,
} from './search';

const minimal = {
  name: 'digits-demo',
  dataset: { builtin: 'digits' },
  metrics: { primary: 'accuracy' },
  models: [{ family: 'mlp', space: { learningRate: { type: 'logUniform', low: 1e-4, high: 1e-1 } } }],
  budget: { trials: 8 },
};

test('a minimal spec gets the defaults a scikit-learn user expects', () => {
  const spec = parseSearchSpec(minimal);
  assert.deepEqual(spec.cv, { kind: 'stratified', k: 5, repeats: 1, shuffle: true });
  assert.equal(spec.strategy.kind, 'random');
  assert.equal(spec.scheduler.kind, 'none');
  assert.equal(spec.racing.enabled, false);
  assert.equal(spec.budget.parallelism, 4);
  assert.equal(spec.seed, 0);
  assert.equal(spec.pool, 'cpu');
  assert.equal(spec.refit, true);
  assert.equal(spec.comparison.topK, 5);
});

test('every problem is reported with the path of the offending field', () => {
  const r = validateSearchSpec({
    ...minimal,
    name: 'Bad Name!',
    models: [
      { family: 'mlp' },
      { family: 'mlp', space: { lr: { type: 'logUniform', low: 0, high: 1 } } },
      { family: 'transformer' },
    ],
    budget: { trials: 0 },
  });
  assert.equal(r.success, false);
  if (r.success) return;
  const text = formatIssues(r.issues);
  assert.match(text, /^name: /m);
  assert.match(text, /^models\[1\]\.space\.lr.*: .*> 0/m);
  assert.match(text, /^models\[2\]\.family: unknown model family 'transformer'/m);
  assert.match(text, /^budget\.trials: trials must be at least 1/m);
});

test('limits reject huge fold and trial counts with the field named', () => {
  const r = validateSearchSpec(
    { ...minimal, cv: { k: 500 }, budget: { trials: 50_000 } },
    { maxFolds: 100, maxTrials: 1000 },
  );
  assert.equal(r.success, false);
  if (r.success) return;
  assert.deepEqual(r.issues.map((i) => i.path).sort(), ['budget.trials', 'cv.k']);
});

test('non-finite numbers, unknown keys and oversized strings are rejected', () => {
  const r = validateSearchSpec({
    ...minimal,
    name: 'x'.repeat(10_000),
    extra: true,
    comparison: { alpha: Number.POSITIVE_INFINITY },
  });
  assert.equal(r.success, false);
  if (r.success) return;
  const paths = r.issues.map((i) => i.path);
  assert.ok(paths.includes('name'));
  assert.ok(paths.includes('comparison.alpha'));
  assert.ok(r.issues.some((i) => i.code === 'unrecognized_keys'));
});

test('parseSearchSpec throws an error that carries every issue', () => {
  assert.throws(
    () => parseSearchSpec({ ...minimal, dataset: { builtin: 'imagenet' } }),
    (err: unknown) =>
      err instanceof InvalidSpecError && err.issues.length >= 1 && /dataset/.test(err.message),
  );
});

test('the exported JSON Schema describes the top-level fields', () => {
  const schema = searchSpecJsonSchema();
  const props = (schema['properties'] ?? {}) as Record<string, unknown>;
  for (const k of [
    'name',
    'dataset',
    'cv',
    'metrics',
    'models',
    'strategy',
    'budget',
    'scheduler',
    'racing',
    'comparison',
  ]) {
    assert.ok(k in props, `missing ${k}`);
  }
  assert.deepEqual((schema['required'] as string[]).sort(), [
    'budget',
    'dataset',
    'metrics',
    'models',
    'name',
  ]);
});

test('an unknown built-in dataset is named at dataset.builtin, not as a generic union failure', () => {
  const r = validateSearchSpec({ ...minimal, dataset: { builtin: 'imagenet' } });
  assert.equal(r.success, false);
  if (r.success) return;
  assert.equal(r.issues[0]?.path, 'dataset.builtin');
  assert.match(r.issues[0]?.message ?? '', /iris|expected one of/i);
});

test('a path dataset without a target names dataset.target', () => {
  const r = validateSearchSpec({ ...minimal, dataset: { path: 'data.csv' } });
  assert.equal(r.success, false);
  if (r.success) return;
  assert.ok(
    r.issues.some((i) => i.path === 'dataset.target'),
    JSON.stringify(r.issues),
  );
});

test('group and time-series cv kinds: their options are checked and group kinds need a groups column', () => {
  const file = { path: 'data/visits.csv', target: 'label' };
  const issues = (over: Record<string, unknown>) => {
    const r = validateSearchSpec({ ...minimal, ...over });
    return r.success ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
  };
  assert.deepEqual(issues({ dataset: { ...file, groups: 'patient' }, cv: { kind: 'group', k: 3 } }), []);
  assert.deepEqual(issues({ dataset: file, cv: { kind: 'stratified-group' } }), [
    'cv.kind: stratified-group needs dataset.groups, the column of group ids in your data file',
  ]);
  assert.deepEqual(issues({ cv: { kind: 'group' } }), [
    'cv.kind: group needs dataset.groups, the column of group ids in your data file (built-in datasets have none)',
  ]);
  assert.deepEqual(issues({ dataset: { ...file, groups: 'label' }, cv: { kind: 'group' } }), [
    "dataset.groups: names the target column 'label'",
  ]);
  assert.deepEqual(
    issues({ cv: { kind: 'time-series', k: 4, gap: 2, maxTrainSize: 100, testSize: 0.1, holdout: 0.2 } }),
    [],
  );
  assert.deepEqual(issues({ cv: { kind: 'kfold', gap: 2, testSize: 0.3 } }), [
    'cv.testSize: testSize applies only to shuffle-split and time-series (got kind kfold)',
    'cv.gap: gap applies only to time-series (got kind kfold)',
  ]);
});

test('budget.minPerFamily must fit in the budget for every listed family', () => {
  const two = { ...minimal, models: [{ family: 'logistic' }, { family: 'mlp' }] };
  assert.equal(parseSearchSpec({ ...two, budget: { trials: 6, minPerFamily: 3 } }).budget.minPerFamily, 3);
  const r = validateSearchSpec({ ...two, budget: { trials: 5, minPerFamily: 3 } });
  assert.equal(r.success, false);
  assert.match(
    formatIssues(r.success ? [] : r.issues),
    /^budget\.minPerFamily: 3 trials for each of 2 families need 6 trials \(budget\.trials is 5\)$/,
  );
});

test('objectives and constraints are optional; a spec with them keeps them as written', () => {
  const plain = parseSearchSpec(minimal);
  assert.equal(plain.objectives, undefined);
  assert.equal(plain.constraints, undefined);
  const spec = parseSearchSpec({
    ...minimal,
    objectives: [{ metric: 'accuracy' }, { metric: 'predict_ms_per_1k', direction: 'minimize' }],
    constraints: [{ metric: 'param_count', max: 5000 }],
  });
  assert.deepEqual(spec.objectives, [
    { metric: 'accuracy' },
    { metric: 'predict_ms_per_1k', direction: 'minimize' },
  ]);
  assert.deepEqual(spec.constraints, [{ metric: 'param_count', max: 5000 }]);
});

test('a bad objective or constraint is reported with the path of the offending field', () => {
  const r = validateSearchSpec({
    ...minimal,
    objectives: [{ metric: 'accuracy' }, { metric: 'accuracy', direction: 'up' }],
    constraints: [
      { metric: 'param_count' },
      { metric: 'train_seconds', min: 5, max: 1 },
      { metric: 'Bad Name' },
    ],
  });
  assert.equal(r.success, false);
  if (r.success) return;
  const text = formatIssues(r.issues);
  assert.match(text, /^objectives\[1\]\.direction: /m);
  assert.match(text, /^constraints\[0\]\.max: constraint on param_count needs max, min or both$/m);
  assert.match(text, /^constraints\[1\]\.min: min must be <= max \(got 5 > 1\)$/m);
  assert.match(text, /^constraints\[2\]\.metric: must be a scorer name/m);

  const one = validateSearchSpec({ ...minimal, objectives: [{ metric: 'accuracy' }] });
  assert.ok(!one.success && formatIssues(one.issues).includes('objectives: list at least two objectives'));
  const twice = validateSearchSpec({
    ...minimal,
    objectives: [{ metric: 'accuracy' }, { metric: 'accuracy' }],
  });
  assert.ok(!twice.success);
  if (!twice.success)
    assert.equal(formatIssues(twice.issues), 'objectives[1].metric: accuracy is listed twice');
});

test('cv.repeats { auto: true, max } is accepted for k-fold kinds and rejected elsewhere with the field named', () => {
  const ok = parseSearchSpec({ ...minimal, cv: { k: 5, repeats: { auto: true, max: 4 } } });
  assert.deepEqual(ok.cv.repeats, { auto: true, max: 4 });
  assert.equal(autoRepeatsMax(ok.cv), 4);
  assert.equal(plannedFolds(ok.cv), 20);
  assert.equal(autoRepeatsMax(parseSearchSpec(minimal).cv), undefined);
  assert.equal(plannedFolds({ kind: 'repeated-kfold', k: 3, repeats: 2 }), 6);
  const bad = (cv: unknown, message: RegExp) => {
    const r = validateSearchSpec({ ...minimal, cv });
    assert.equal(r.success, false, JSON.stringify(cv));
    if (r.success) return;
    assert.ok(
      r.issues.some((i) => i.path.startsWith('cv.repeats') && message.test(i.message)),
      `${JSON.stringify(cv)}: ${formatIssues(r.issues)}`,
    );
  };
  bad({ kind: 'group', k: 3, repeats: { auto: true, max: 3 } }, /applies only to kfold, stratified/);
  bad({ kind: 'time-series', k: 3, repeats: { auto: true, max: 3 } }, /applies only to kfold, stratified/);
  bad({ kind: 'kfold', k: 3, shuffle: false, repeats: { auto: true, max: 3 } }, /needs shuffle: true/);
  bad({ k: 3, repeats: { auto: true, max: 1 } }, /max must be at least 2/);
  bad({ k: 3, repeats: { auto: true, max: 3, extra: 1 } }, /./);
  const limited = validateSearchSpec(
    { ...minimal, cv: { k: 10, repeats: { auto: true, max: 20 } } },
    { maxFolds: 100 },
  );
  assert.equal(limited.success, false, 'the limit counts every fold repeats may plan');
});
