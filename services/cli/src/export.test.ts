import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnsOf, csvField, toCsv, toJsonl } from './export';

test('CSV fields are quoted only when they hold a comma, quote or newline; arrays and objects become JSON', () => {
  assert.equal(csvField('mlp'), 'mlp');
  assert.equal(csvField(0.25), '0.25');
  assert.equal(csvField(null), '');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField(true), 'true');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField([64, 32]), '"[64,32]"');
});

test('rows of different models share one header of every column in first-seen order, missing cells empty', () => {
  const rows = [
    { trialIndex: 0, model: 'logistic', param_learningRate: 0.1, accuracy: 0.9 },
    { trialIndex: 1, model: 'mlp', param_units: 32, accuracy: 0.95 },
  ];
  assert.deepEqual(columnsOf(rows), ['trialIndex', 'model', 'param_learningRate', 'accuracy', 'param_units']);
  assert.equal(
    toCsv(rows),
    'trialIndex,model,param_learningRate,accuracy,param_units\n0,logistic,0.1,0.9,\n1,mlp,,0.95,32\n',
  );
});

test('JSON lines hold one row per line that parses back to the row', () => {
  const rows = [
    { a: 1, b: [1, 2] },
    { a: 2, c: 'x\ny' },
  ];
  const text = toJsonl(rows);
  assert.equal(text.split('\n').length, 3);
  assert.deepEqual(
    text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown),
    rows,
  );
  assert.equal(toJsonl([]), '');
});
