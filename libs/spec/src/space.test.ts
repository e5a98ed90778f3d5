import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  domainSchema,
  racingSpecSchema,
  schedulerSpecSchema,
  searchSpaceSchema,
  strategySpecSchema,
} from './space';

const searchLike = z.object({ models: z.array(z.object({ space: searchSpaceSchema })) });

function messages(input: unknown): string[] {
  const r = searchLike.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) =>
    `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`.replace(
      /^\./,
      '',
    ),
  );
}

test('a logUniform domain with a zero bound is rejected with the path of the parameter', () => {
  assert.deepEqual(messages({ models: [{ space: { lr: { type: 'logUniform', low: 0, high: 1 } } }] }), [
    'models[0].space.lr: logUniform bounds must be > 0 (got 0)',
  ]);
});

test('bounds in the wrong order are rejected for every numeric domain', () => {
  for (const type of ['uniform', 'logUniform', 'intUniform', 'intLogUniform', 'step']) {
    const extra = type === 'step' ? { step: 1 } : {};
    const r = domainSchema.safeParse({ type, low: 5, high: 2, ...extra });
    assert.equal(r.success, false, type);
    assert.match(r.error?.issues[0]?.message ?? '', /low must be < high \(got low=5, high=2\)/);
  }
});

test('integer domains reject fractional bounds and step domains reject a non-positive or oversized step', () => {
  assert.equal(domainSchema.safeParse({ type: 'intUniform', low: 0.5, high: 3 }).success, false);
  assert.match(
    domainSchema.safeParse({ type: 'step', low: 0, high: 1, step: 0 }).error?.issues[0]?.message ?? '',
    /step must be > 0/,
  );
  assert.match(
    domainSchema.safeParse({ type: 'step', low: 0, high: 1, step: 2 }).error?.issues[0]?.message ?? '',
    /step must be <= high - low/,
  );
});

test('bare scalars and arrays are shorthand for constants, objects without a type are not', () => {
  const s = searchSpaceSchema.parse({ a: 3, b: 'x', c: [1, 2], d: null, e: true });
  assert.deepEqual(s, {
    a: { type: 'const', value: 3 },
    b: { type: 'const', value: 'x' },
    c: { type: 'const', value: [1, 2] },
    d: { type: 'const', value: null },
    e: { type: 'const', value: true },
  });
  assert.equal(searchSpaceSchema.safeParse({ a: { low: 1 } }).success, false);
});

test('a condition on a missing parameter names that parameter', () => {
  assert.deepEqual(
    messages({
      models: [
        { space: { momentum: { type: 'uniform', low: 0, high: 1, when: { param: 'x', in: ['sgd'] } } } },
      ],
    }),
    ["models[0].space.momentum: when.param 'x' is not a parameter of this space"],
  );
});

test('a condition on a value the controlling choice cannot take is rejected', () => {
  const m = messages({
    models: [
      {
        space: {
          opt: { type: 'choice', values: ['sgd', 'adam'] },
          momentum: { type: 'uniform', low: 0, high: 1, when: { param: 'opt', in: ['nesterov'] } },
        },
      },
    ],
  });
  assert.deepEqual(m, [
    `models[0].space.momentum: when.in value "nesterov" is not a possible value of 'opt'`,
  ]);
});

test('cyclic conditions are rejected once, naming the cycle', () => {
  const m = messages({
    models: [
      {
        space: {
          a: { type: 'choice', values: [1, 2], when: { param: 'c', in: [1] } },
          b: { type: 'choice', values: [1, 2], when: { param: 'a', in: [1] } },
          c: { type: 'choice', values: [1, 2], when: { param: 'b', in: [1] } },
        },
      },
    ],
  });
  assert.deepEqual(m, ['models[0].space.a: conditions form a cycle: a -> c -> b -> a']);
  assert.match(
    messages({
      models: [{ space: { a: { type: 'choice', values: [1], when: { param: 'a', in: [1] } } } }],
    })[0] ?? '',
    /refers to the parameter itself/,
  );
});

test('a well-formed conditional space parses unchanged', () => {
  const space = {
    optimizer: { type: 'choice', values: ['sgd', 'adam'] },
    momentum: { type: 'uniform', low: 0, high: 0.99, when: { param: 'optimizer', in: ['sgd'] } },
    lr: { type: 'logUniform', low: 1e-5, high: 1, gridPoints: 5 },
    units: { type: 'intLogUniform', low: 8, high: 512 },
    dropout: { type: 'step', low: 0, high: 0.5, step: 0.1 },
  };
  assert.deepEqual(searchSpaceSchema.parse(space), space);
});

test('choice values must be distinct', () => {
  assert.match(
    domainSchema.safeParse({
      type: 'choice',
      values: [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
    }).error?.issues[0]?.message ?? '',
    /distinct/,
  );
});

test('strategy, scheduler and racing specs fill in their defaults', () => {
  assert.deepEqual(strategySpecSchema.parse({ kind: 'tpe' }), {
    kind: 'tpe',
    nStartupTrials: 10,
    nEiCandidates: 24,
    gamma: 0.25,
    multivariate: true,
    priorWeight: 1,
    considerEndpoints: false,
    bandwidth: 0.1,
  });
  assert.deepEqual(strategySpecSchema.parse({ kind: 'grid' }), { kind: 'grid', shuffle: false });
  assert.deepEqual(schedulerSpecSchema.parse({ kind: 'asha', minResource: 1, maxResource: 27 }), {
    kind: 'asha',
    minResource: 1,
    maxResource: 27,
    reductionFactor: 3,
    direction: 'maximize',
  });
  assert.deepEqual(racingSpecSchema.parse({}), {
    enabled: false,
    test: 'corrected-t',
    alpha: 0.05,
    minFolds: 3,
  });
});

test('scheduler specs with minResource not below maxResource and unknown strategy kinds are rejected', () => {
  const r = schedulerSpecSchema.safeParse({ kind: 'hyperband', minResource: 9, maxResource: 9 });
  assert.equal(r.error?.issues[0]?.message, 'minResource must be < maxResource (got 9 >= 9)');
  assert.deepEqual(r.error?.issues[0]?.path, ['minResource']);
  assert.equal(strategySpecSchema.safeParse({ kind: 'bayes' }).success, false);
  assert.equal(strategySpecSchema.safeParse({ kind: 'tpe', gamma: 1.5 }).success, false);
});
