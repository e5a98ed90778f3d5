import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchSpec } from '@foldwise/spec';
import { familyIssues } from './families';

const base = {
  name: 'fam',
  dataset: { builtin: 'iris' },
  metrics: { primary: 'accuracy' },
  budget: { trials: 2 },
};

test('a spec whose parameters fit the family declarations has no family issues', () => {
  const spec = parseSearchSpec({
    ...base,
    models: [
      {
        family: 'mlp',
        params: { epochs: 5 },
        space: {
          units: { type: 'choice', values: [8, 16] },
          learningRate: { type: 'logUniform', low: 0.001, high: 0.1 },
        },
      },
    ],
  });
  assert.deepEqual(familyIssues(spec), []);
});

test('unknown hyperparameters and out-of-range values are reported at their path', () => {
  const spec = parseSearchSpec({
    ...base,
    models: [
      { family: 'logistic', params: { epochs: 5, unitz: 3 } },
      {
        family: 'mlp',
        space: {
          dropout: { type: 'uniform', low: 0, high: 1.5 },
          activation: { type: 'choice', values: ['relu', 'swish'] },
        },
      },
    ],
  });
  const issues = familyIssues(spec);
  const paths = issues.map((i) => i.path);
  assert.ok(paths.includes('models[0].params.unitz'), paths.join(', '));
  assert.match(
    issues.find((i) => i.path === 'models[0].params.unitz')?.message ?? '',
    /not a hyperparameter of logistic/,
  );
  assert.ok(paths.includes('models[1].space.dropout'), paths.join(', '));
  assert.ok(paths.includes('models[1].space.activation'), paths.join(', '));
});

test('custom families are left to the workers that register them', () => {
  const spec = parseSearchSpec({ ...base, models: [{ family: 'custom:my-net', params: { anything: 1 } }] });
  assert.deepEqual(familyIssues(spec), []);
});
