import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CostMetric,
  ScorerNeeds,
  isCostMetric,
  metricInfo,
  ScorerTask,
  getScorer,
  logLoss,
  rocAucScore,
  scoreAll,
  scorerNames,
  scorerRange,
} from './index';

const required = [
  'accuracy',
  'balanced_accuracy',
  'f1',
  'f1_macro',
  'f1_micro',
  'f1_weighted',
  'precision',
  'precision_macro',
  'precision_weighted',
  'recall',
  'recall_macro',
  'recall_weighted',
  'roc_auc',
  'roc_auc_ovr',
  'roc_auc_ovo',
  'roc_auc_ovr_weighted',
  'average_precision',
  'neg_log_loss',
  'log_loss',
  'matthews_corrcoef',
  'cohen_kappa',
  'r2',
  'neg_mean_squared_error',
  'neg_root_mean_squared_error',
  'neg_mean_absolute_error',
  'mean_squared_error',
  'mean_absolute_error',
];

void test('the registry holds every scikit-learn scorer name the search engine relies on', () => {
  assert.deepEqual(
    required.filter((n) => !scorerNames.includes(n)),
    [],
  );
  for (const name of scorerNames) assert.equal(getScorer(name).name, name);
});

void test('neg_ scorers are the negated error with greaterIsBetter true; plain error names are raw with greaterIsBetter false', () => {
  const reg = { yTrue: [3, -0.5, 2, 7], yPred: [2.5, 0, 2, 8] };
  for (const base of ['mean_squared_error', 'mean_absolute_error', 'root_mean_squared_error']) {
    const raw = getScorer(base);
    const neg = getScorer(`neg_${base}`);
    assert.equal(raw.greaterIsBetter, false);
    assert.equal(neg.greaterIsBetter, true);
    assert.equal(raw.task, ScorerTask.Regression);
    const value = raw.score(reg);
    assert.ok(value > 0);
    assert.equal(neg.score(reg), -value);
  }
  const clf = {
    yTrue: [0, 1, 1, 0],
    proba: [
      [0.8, 0.2],
      [0.3, 0.7],
      [0.4, 0.6],
      [0.6, 0.4],
    ],
  };
  assert.equal(getScorer('neg_log_loss').score(clf), -getScorer('log_loss').score(clf));
  assert.equal(getScorer('log_loss').greaterIsBetter, false);
  assert.equal(getScorer('neg_log_loss').needs, ScorerNeeds.Proba);
});

void test('probability columns follow the labels given, so a fold missing a class still scores', () => {
  const input = {
    yTrue: [0, 2, 2, 0, 2],
    proba: [
      [0.7, 0.2, 0.1],
      [0.1, 0.3, 0.6],
      [0.2, 0.2, 0.6],
      [0.5, 0.4, 0.1],
      [0.3, 0.3, 0.4],
    ],
    labels: [0, 1, 2],
  };
  assert.equal(getScorer('log_loss').score(input), logLoss(input.yTrue, input.proba, { labels: [0, 1, 2] }));
  assert.equal(
    getScorer('roc_auc_ovo').score(input),
    rocAucScore(input.yTrue, input.proba, { multiClass: 'ovo', labels: [0, 1, 2] }),
  );
  assert.throws(() => getScorer('roc_auc_ovr').score(input), { message: /^yTrue: class 1 is absent/ });
  assert.throws(() => getScorer('log_loss').score({ yTrue: input.yTrue, proba: input.proba }), {
    message: /^yProba: has 3 columns but there are 2 classes/,
  });
});

void test('scoreAll returns one value per requested name and the binary-only scorers refuse multi-class targets', () => {
  const input = { yTrue: ['a', 'b', 'c', 'a'], yPred: ['a', 'b', 'b', 'a'] };
  const out = scoreAll(['accuracy', 'f1_macro', 'cohen_kappa'], input);
  assert.deepEqual(Object.keys(out), ['accuracy', 'f1_macro', 'cohen_kappa']);
  assert.equal(out.accuracy, 0.75);
  assert.throws(() => getScorer('f1').score(input), {
    message: /^average: target is multiclass but average='binary'/,
  });
  const proba = [
    [0.8, 0.1, 0.1],
    [0.1, 0.8, 0.1],
    [0.1, 0.6, 0.3],
    [0.5, 0.25, 0.25],
  ];
  assert.throws(() => getScorer('roc_auc').score({ ...input, proba }), {
    message: /^yTrue: scorer 'roc_auc' is binary/,
  });
});

test('every scorer returns values inside the range it declares', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), {
        minLength: 3,
        maxLength: 40,
      }),
      fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 120, maxLength: 120 }),
      (pairs, raw) => {
        const yTrue = pairs.map(([t]) => t);
        const yPred = pairs.map(([, p]) => p);
        const labels = [0, 1, 2];
        const proba = pairs.map((_, i) => {
          const row = labels.map((c) => raw[(3 * i + c) % raw.length] as number);
          const sum = row.reduce((a, b) => a + b, 0);
          return row.map((v) => v / sum);
        });
        const real = pairs.map(([t, p], i) => ({ t: t * 1.5 - 1, p: p * 0.7 + (raw[i] as number) }));
        for (const name of scorerNames) {
          const s = getScorer(name);
          let v: number;
          try {
            v =
              s.task === ScorerTask.Regression
                ? s.score({ yTrue: real.map((r) => r.t), yPred: real.map((r) => r.p) })
                : s.score({ yTrue, yPred, proba, labels });
          } catch {
            continue;
          }
          if (Number.isNaN(v)) continue;
          assert.ok(
            v >= s.range.low && v <= s.range.high,
            `${name} = ${v} outside [${s.range.low}, ${s.range.high}]`,
          );
          assert.deepEqual(scorerRange(name), s.range);
        }
      },
    ),
    { numRuns: 150 },
  );
  assert.deepEqual(getScorer('accuracy').range, { low: 0, high: 1 });
  assert.deepEqual(getScorer('matthews_corrcoef').range, { low: -1, high: 1 });
  assert.deepEqual(getScorer('r2').range, { low: -Infinity, high: 1 });
  assert.deepEqual(getScorer('neg_log_loss').range, { low: -Infinity, high: 0 });
  assert.equal(scorerRange('no_such_metric'), undefined);
});

test('cost metrics are smaller-is-better, non-negative, known by name, and not scorers', () => {
  for (const name of Object.values(CostMetric)) {
    assert.ok(isCostMetric(name));
    assert.deepEqual(metricInfo(name), { greaterIsBetter: false, range: { low: 0, high: Infinity } });
    assert.deepEqual(scorerRange(name), { low: 0, high: Infinity });
    assert.throws(() => getScorer(name), /unknown scorer/);
  }
  assert.equal(isCostMetric('accuracy'), false);
  assert.equal(metricInfo('accuracy')?.greaterIsBetter, true);
  assert.equal(metricInfo('neg_log_loss')?.greaterIsBetter, true);
  assert.equal(metricInfo('no_such_metric'), undefined);
});
