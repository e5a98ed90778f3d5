import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracyScore,
  classificationReport,
  confusionMatrix,
  f1Score,
  fbetaScore,
  getScorer,
  logLoss,
  matthewsCorrcoef,
  precisionScore,
  r2Score,
  rocAucScore,
  scoreAll,
} from './index';

void test('empty input is rejected naming yTrue, for classification, ranking, log loss and regression alike', () => {
  assert.throws(() => accuracyScore([], []), { message: /^yTrue: empty input/ });
  assert.throws(() => f1Score([], [], { average: 'macro' }), { message: /^yTrue: empty input/ });
  assert.throws(() => rocAucScore([], []), { message: /^yTrue: empty input/ });
  assert.throws(() => logLoss([], []), { message: /^yTrue: empty input/ });
  assert.throws(() => r2Score([], []), { message: /^yTrue: empty input/ });
});

void test('mismatched lengths name the shorter argument and both lengths', () => {
  assert.throws(() => matthewsCorrcoef([0, 1, 1], [0, 1]), {
    message: /^yPred: length 2 does not match yTrue length 3/,
  });
  assert.throws(() => accuracyScore([0, 1], [0, 1], { sampleWeight: [1] }), {
    message: /^sampleWeight: length 1/,
  });
  assert.throws(() => logLoss([0, 1, 1], [[0.5, 0.5]]), {
    message: /^yProba: length 1 does not match yTrue length 3/,
  });
});

void test('a probability row that does not sum to 1 within 1e-6 is rejected naming its row', () => {
  const ok = [
    [0.2, 0.3, 0.5],
    [0.1, 0.1, 0.8],
    [0.6, 0.2, 0.2],
  ];
  assert.doesNotThrow(() => logLoss([0, 2, 1], ok));
  assert.doesNotThrow(() =>
    logLoss([0, 2, 1], [[0.2, 0.3, 0.5 + 5e-7], ok[1] as number[], ok[2] as number[]]),
  );
  const bad = [ok[0] as number[], [0.1, 0.1, 0.8 + 2e-6], ok[2] as number[]];
  assert.throws(() => logLoss([0, 2, 1], bad), { message: /^yProba\[1\]: probabilities sum to 1\.000002/ });
  assert.throws(() => rocAucScore([0, 2, 1], bad, { multiClass: 'ovr' }), {
    message: /^yScore\[1\]: probabilities sum/,
  });
  assert.throws(() => logLoss([0, 1], [0.5, 1.5]), {
    message: /^yProba\[1\]: must be a probability in \[0, 1\]/,
  });
});

void test('mixing string and number labels is rejected naming the argument', () => {
  assert.throws(() => accuracyScore([0, 1], ['0', '1']), { message: /^yPred: mix of label input types/ });
  assert.throws(() => f1Score([0, 1, 'a'], [0, 1, 1], { average: 'macro' }), {
    message: /^yTrue: mix of label input types/,
  });
  assert.throws(() => confusionMatrix([0, NaN], [0, 1]), { message: /^yTrue\[1\]: label is NaN/ });
});

void test('unknown averages and invalid beta name the option and what is allowed', () => {
  const bogus = { average: 'samples' } as unknown as { average: 'macro' };
  assert.throws(() => precisionScore([0, 1], [0, 1], bogus), {
    message: /^average: unknown value "samples"; expected one of 'binary'/,
  });
  assert.throws(() => fbetaScore([0, 1], [0, 1], { beta: NaN }), { message: /^beta: must be a number >= 0/ });
  assert.throws(() => fbetaScore([0, 1], [0, 1], { beta: -0.5 }), { message: /^beta: must be >= 0/ });
  assert.throws(
    () =>
      rocAucScore(
        [0, 1, 2],
        [
          [0.2, 0.3, 0.5],
          [0.2, 0.3, 0.5],
          [0.2, 0.3, 0.5],
        ],
        { multiClass: 'ovr', average: 'micro' as 'macro' },
      ),
    {
      message: /^average: unknown value "micro"/,
    },
  );
});

void test('binary ROC AUC on multi-class targets asks for a probability matrix', () => {
  assert.throws(() => rocAucScore([0, 1, 2], [0.1, 0.5, 0.9]), { message: /^yScore: yTrue is multi-class/ });
});

void test('log loss with labels that miss a true label names yTrue and the missing labels', () => {
  assert.throws(() => logLoss([0, 1, 3], [0.2, 0.5, 0.9], { labels: [0, 1] }), {
    message: /^yTrue: contains labels not in labels: \[3\]/,
  });
  assert.throws(() => logLoss([0, 1], [0.2, 0.5], { labels: [1] }), {
    message: /^labels: needs at least two labels/,
  });
});

void test('report target names that do not match the labels are rejected', () => {
  assert.throws(() => classificationReport([0, 1, 2], [0, 1, 1], { targetNames: ['a', 'b'] }), {
    message: /^targetNames: number of classes, 3/,
  });
});

void test('an unknown scorer name is rejected naming it and suggesting close names', () => {
  assert.throws(() => getScorer('f1_marco'), {
    message: /^metric: unknown scorer 'f1_marco'; did you mean 'f1_macro'/,
  });
  assert.throws(() => getScorer('neg_mean_squared_eror'), {
    message: /did you mean 'neg_mean_squared_error'/,
  });
  assert.throws(() => scoreAll(['accuracy', 'acuracy'], { yTrue: [0, 1], yPred: [0, 1] }), {
    message: /unknown scorer 'acuracy'; did you mean 'accuracy'/,
  });
  assert.throws(() => getScorer('zzzzzzzzzz'), { message: /known metrics: accuracy, average_precision/ });
});

void test('a scorer missing its input names the field it needs', () => {
  assert.throws(() => getScorer('roc_auc_ovr').score({ yTrue: [0, 1], yPred: [0, 1] }), {
    message: /^proba: scorer 'roc_auc_ovr' needs class probabilities/,
  });
  assert.throws(() => getScorer('f1_macro').score({ yTrue: [0, 1] }), {
    message: /^yPred: scorer 'f1_macro' needs predictions/,
  });
  assert.throws(() => getScorer('r2').score({ yTrue: ['a', 'b'], yPred: [1, 2] }), {
    message: /^yTrue\[0\]: scorer 'r2' needs numeric targets/,
  });
});
