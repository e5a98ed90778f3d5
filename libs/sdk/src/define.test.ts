import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchSpec } from '@foldwise/spec';
import { defineSearch } from './define';
import { familyIssues } from './families';

test('defineSearch returns the spec it is given, which validates and fits its families', () => {
  const input = {
    name: 'typed',
    dataset: { builtin: 'iris' },
    cv: { kind: 'stratified', k: 3 },
    metrics: { primary: 'accuracy' },
    models: [
      { family: 'mlp', params: { epochs: 5 }, space: { units: { type: 'choice', values: [8, 16] } } },
      { family: 'custom:tree', space: { depth: { type: 'intUniform', low: 1, high: 4 } } },
    ],
    budget: { trials: 2 },
  } as const;
  const spec = defineSearch({
    ...input,
    models: [
      { family: 'mlp', params: { epochs: 5 }, space: { units: { type: 'choice', values: [8, 16] } } },
      { family: 'custom:tree', space: { depth: { type: 'intUniform', low: 1, high: 4 } } },
    ],
  });
  assert.deepEqual(spec, input);
  assert.deepEqual(familyIssues(parseSearchSpec(spec)), []);
});

test('the compiler rejects a misspelled field, cv kind or hyperparameter of a built-in family (npm run typecheck)', () => {
  const base = { name: 'x', dataset: { builtin: 'iris' }, metrics: { primary: 'accuracy' } } as const;
  const typos = [
    () =>
      defineSearch({
        ...base,
        models: [{ family: 'mlp' }],
        // @ts-expect-error `trails` is not a budget field
        budget: { trails: 2 },
      }),
    () =>
      defineSearch({
        ...base,
        // @ts-expect-error `stratifed` is not a cv kind
        cv: { kind: 'stratifed' },
        models: [{ family: 'mlp' }],
        budget: { trials: 2 },
      }),
    () =>
      defineSearch({
        ...base,
        // @ts-expect-error `unitz` is not a hyperparameter of mlp
        models: [{ family: 'mlp', space: { unitz: { type: 'choice', values: [8] } } }],
        budget: { trials: 2 },
      }),
    () =>
      defineSearch({
        ...base,
        // @ts-expect-error `xgboost` is neither a built-in family nor custom:<name>
        models: [{ family: 'xgboost' }],
        budget: { trials: 2 },
      }),
  ];
  assert.equal(typos.length, 4);
});

test('importing the SDK loads no TensorFlow.js', () => {
  const loaded = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "require('@foldwise/sdk'); console.log(JSON.stringify(Object.keys(require.cache)))",
    ],
    { cwd: __dirname, encoding: 'utf8' },
  );
  const modules = JSON.parse(loaded) as string[];
  assert.ok(
    modules.some((m) => m.includes('libs/sdk/src/client.ts')),
    'the SDK itself was loaded',
  );
  assert.deepEqual(
    modules.filter((m) => m.includes('@tensorflow') || m.includes('libs/models/')),
    [],
  );
});
