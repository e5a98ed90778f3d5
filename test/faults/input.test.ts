import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FoldwiseClient, SubmissionError } from '@foldwise/sdk';
import { validateSearchSpec, type SearchSpecInput } from '@foldwise/spec';
import { report, startPrivateStack, type PrivateStack } from '../support/faults';

const run = randomBytes(3).toString('hex');
let stack: PrivateStack;
let client: FoldwiseClient;
let dataRoot: string;

before(async () => {
  stack = await startPrivateStack('input');
  dataRoot = join(stack.dir, 'data');
  mkdirSync(dataRoot, { recursive: true });
  writeFileSync(join(dataRoot, 'ok.csv'), 'a,b,y\n1,2,0\n3,4,1\n');
  writeFileSync(join(stack.dir, 'secret.csv'), 'a,b,y\n1,2,0\n');
  symlinkSync(join(stack.dir, 'secret.csv'), join(dataRoot, 'link.csv'));
  client = await FoldwiseClient.connect({
    temporalAddress: stack.env.TEMPORAL_ADDRESS,
    mongodbUri: stack.env.MONGODB_URI,
    mongodbDb: stack.env.MONGODB_DB,
    natsUrl: stack.env.NATS_URL,
    allowedDataRoots: [dataRoot],
    limits: { maxTrials: 500, maxFolds: 20 },
  });
});

after(async () => {
  await client?.close();
  await stack?.close();
});

const domain = fc.oneof(
  fc.record({
    type: fc.constant('choice'),
    values: fc.uniqueArray(fc.integer({ min: 1, max: 512 }), { minLength: 1, maxLength: 4 }),
  }),
  fc
    .double({ min: 1e-5, max: 0.5, noNaN: true })
    .chain((low) =>
      fc.double({ min: low * 2, max: 1, noNaN: true }).map((high) => ({ type: 'logUniform', low, high })),
    ),
  fc
    .integer({ min: -100, max: 100 })
    .chain((low) =>
      fc.integer({ min: low + 1, max: low + 100 }).map((high) => ({ type: 'uniform', low, high })),
    ),
);

/** Specs the validator must accept. */
const validSpec = fc.record({
  name: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,30}$/),
  dataset: fc.record({ builtin: fc.constantFrom('iris', 'wine', 'breast-cancer', 'digits', 'diabetes') }),
  cv: fc.record({ kind: fc.constantFrom('kfold', 'stratified'), k: fc.integer({ min: 2, max: 10 }) }),
  metrics: fc.record({ primary: fc.constantFrom('accuracy', 'f1_macro', 'r2'), report: fc.constant([]) }),
  models: fc.array(
    fc.record({
      family: fc.constantFrom('logistic', 'linear', 'mlp', 'cnn', 'custom:my-net'),
      params: fc.record({ epochs: fc.integer({ min: 1, max: 100 }) }),
      space: fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z]{0,10}$/), domain, { maxKeys: 3 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  strategy: fc.record({ kind: fc.constantFrom('random', 'sobol', 'tpe') }),
  budget: fc.record({
    trials: fc.integer({ min: 1, max: 500 }),
    parallelism: fc.integer({ min: 1, max: 64 }),
  }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

type Spec = Record<string, unknown>;
const set = (spec: Spec, path: (string | number)[], value: unknown): Spec => {
  const copy = structuredClone(spec) as Spec;
  let o = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path.at(-1) as string] = value;
  return copy;
};
const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
const notInt = fc.oneof(nonFinite, fc.constant(1.5), fc.constant('3'), fc.constant(null));
const huge = fc.string({ minLength: 5000, maxLength: 5000 });

/** One mutation that makes a valid spec invalid, and the path its issue must name. */
const mutations: [string, (s: Spec) => fc.Arbitrary<Spec>][] = [
  [
    'name',
    (s) =>
      fc.oneof(fc.constant(''), fc.constant('UPPER'), huge, fc.integer()).map((v) => set(s, ['name'], v)),
  ],
  [
    'dataset',
    (s) =>
      fc
        .oneof(
          fc.constant({ builtin: 'mnist-9000' }),
          fc.constant({}),
          fc.constant({ builtin: 'iris', subset: 1 }),
        )
        .map((v) => set(s, ['dataset'], v)),
  ],
  [
    'cv.k',
    (s) =>
      fc.oneof(fc.integer({ min: -5, max: 1 }), notInt, fc.constant(5000)).map((v) => set(s, ['cv', 'k'], v)),
  ],
  ['cv.k', (s) => fc.integer({ min: 21, max: 1000 }).map((v) => set(s, ['cv', 'k'], v))],
  [
    'metrics.primary',
    (s) =>
      fc.oneof(fc.constant('Accuracy!'), fc.constant(''), huge).map((v) => set(s, ['metrics', 'primary'], v)),
  ],
  ['models', (s) => fc.constant(set(s, ['models'], []))],
  [
    'models[0].family',
    (s) =>
      fc
        .oneof(fc.constant('xgboost'), fc.constant('custom:'), fc.constant('__proto__'), huge)
        .map((v) => set(s, ['models', 0, 'family'], v)),
  ],
  [
    'models[0].space',
    (s) =>
      fc
        .oneof(nonFinite, fc.constant(-1))
        .map((low) => set(s, ['models', 0, 'space'], { lr: { type: 'logUniform', low, high: 1 } })),
  ],
  [
    'budget.trials',
    (s) => fc.oneof(fc.integer({ min: -10, max: 0 }), notInt).map((v) => set(s, ['budget', 'trials'], v)),
  ],
  [
    'budget.trials',
    (s) => fc.integer({ min: 501, max: 10 ** 9 }).map((v) => set(s, ['budget', 'trials'], v)),
  ],
  [
    'budget.parallelism',
    (s) =>
      fc.oneof(fc.constant(0), fc.constant(1e6), notInt).map((v) => set(s, ['budget', 'parallelism'], v)),
  ],
  ['seed', (s) => fc.oneof(fc.constant(-1), fc.constant(2 ** 31), notInt).map((v) => set(s, ['seed'], v))],
  [
    'description',
    (s) => fc.string({ minLength: 2001, maxLength: 2100 }).map((v) => set(s, ['description'], v)),
  ],
  ['pool', (s) => fc.constantFrom('tpu', '', 'GPU').map((v) => set(s, ['pool'], v))],
  ['(spec)', (s) => fc.constantFrom('extra', 'constructor', 'models2').map((k) => set(s, [k], 1))],
];

const invalidSpec = validSpec.chain((s) =>
  fc.integer({ min: 0, max: mutations.length - 1 }).chain((i) => {
    const [path, mutate] = mutations[i] as [string, (s: Spec) => fc.Arbitrary<Spec>];
    return mutate(s as Spec).map((spec) => ({ path, spec }));
  }),
);

const limits = { maxTrials: 500, maxFolds: 20 };

test(
  '10,000 generated specs, valid and invalid: no crash, each invalid one rejected with a message at its path, no workflow started',
  { timeout: 240_000 },
  async () => {
    let valid = 0;
    let invalid = 0;
    const sampled: Spec[] = [];
    try {
      fc.assert(
        fc.property(validSpec, (spec) => {
          const r = validateSearchSpec(spec, limits);
          assert.ok(r.success, `a valid spec is accepted: ${r.success ? '' : JSON.stringify(r.issues)}`);
          valid += 1;
        }),
        { numRuns: 4000, seed: 20261129 },
      );
      fc.assert(
        fc.property(invalidSpec, ({ path, spec }) => {
          const r = validateSearchSpec(spec, limits);
          assert.equal(r.success, false, `an invalid ${path} is rejected`);
          if (r.success) return;
          const hit = r.issues.find(
            (i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`),
          );
          assert.ok(hit, `an issue names ${path} (got ${r.issues.map((i) => i.path).join(', ')})`);
          assert.ok(
            hit.message.length > 0 && hit.message.length < 500,
            `a short, clear message (${hit.message.length} chars)`,
          );
          if (sampled.length < 40 && invalid % 150 === 0) sampled.push(spec);
          invalid += 1;
        }),
        { numRuns: 6000, seed: 20261130 },
      );
      for (const [i, spec] of sampled.entries()) {
        const searchId = `fuzz-${run}-${i}`;
        // Invalid on purpose: what is under test is the SDK's check at run time, which no type can stand for.
        await assert.rejects(client.submit(spec as SearchSpecInput, { searchId }), SubmissionError);
        assert.equal(await client.exists(searchId), false, `no workflow ${searchId}`);
      }
      const count = await client.temporal.workflow.count();
      assert.equal(count.count, 0, 'Temporal holds no workflow at all');
      report(
        'fuzz spec validator',
        'pass',
        `${valid} valid accepted, ${invalid} invalid rejected at their path; ${sampled.length} submitted through the SDK, 0 workflows in Temporal`,
      );
    } catch (err) {
      report('fuzz spec validator', 'fail', (err as Error).message.split('\n')[0] ?? '');
      throw err;
    }
  },
);

const base = {
  name: `hostile-${run}`,
  dataset: { builtin: 'iris' },
  metrics: { primary: 'accuracy' },
  models: [{ family: 'logistic' }],
  budget: { trials: 2 },
};

test(
  'hostile values are each rejected with a clear message and start nothing',
  { timeout: 120_000 },
  async () => {
    const cases: [string, unknown, string, RegExp][] = [
      [
        'dataset path with ../',
        { ...base, dataset: { path: '../secret.csv', target: 'y' } },
        'dataset.path',
        /outside the allowed roots/,
      ],
      [
        'absolute dataset path',
        { ...base, dataset: { path: '/etc/passwd', target: 'y' } },
        'dataset.path',
        /outside the allowed roots/,
      ],
      [
        'symlink out of the root',
        { ...base, dataset: { path: 'link.csv', target: 'y' } },
        'dataset.path',
        /symbolic link/,
      ],
      [
        'NUL byte in a path',
        { ...base, dataset: { path: 'ok.csv\0.txt', target: 'y' } },
        'dataset.path',
        /NUL/,
      ],
      ['folds beyond the limit', { ...base, cv: { kind: 'kfold', k: 50 } }, 'cv.k', /at most 20 folds/],
      [
        'repeated folds beyond the limit',
        { ...base, cv: { kind: 'repeated-kfold', k: 10, repeats: 5 } },
        'cv.k',
        /at most 20 folds/,
      ],
      [
        'trials beyond the limit',
        { ...base, budget: { trials: 1_000_000 } },
        'budget.trials',
        /at most 500 trials/,
      ],
      ['NaN seed', { ...base, seed: Number.NaN }, 'seed', /number|NaN/i],
      [
        'infinite learning-rate bound',
        {
          ...base,
          models: [{ family: 'logistic', space: { lr: { type: 'logUniform', low: 1e-3, high: Infinity } } }],
        },
        'models[0].space',
        /finite|number|Infinity/i,
      ],
      ['infinite holdout', { ...base, cv: { holdout: Infinity } }, 'cv.holdout', /finite/],
      ['1 MB name', { ...base, name: 'a'.repeat(1_000_000) }, 'name', /at most 64 characters/],
      ['1 MB description', { ...base, description: 'x'.repeat(1_000_000) }, 'description', /2000/],
      [
        '8 KB dataset path',
        { ...base, dataset: { path: 'a/'.repeat(4096), target: 'y' } },
        'dataset',
        /4096|too big|too long/i,
      ],
      [
        'unknown model family',
        { ...base, models: [{ family: 'xgboost' }] },
        'models[0].family',
        /unknown model family 'xgboost'/,
      ],
      [
        '__proto__ key',
        JSON.parse(
          `{"name":"p-${run}","dataset":{"builtin":"iris"},"metrics":{"primary":"accuracy"},"models":[{"family":"logistic"}],"budget":{"trials":1},"__proto__":{"x":1}}`,
        ),
        '(spec)',
        /__proto__|unrecognized/i,
      ],
    ];
    const lines: string[] = [];
    try {
      for (const [i, [what, spec, path, message]] of cases.entries()) {
        const searchId = `hostile-${run}-${i}`;
        const err = await client.submit(spec as SearchSpecInput, { searchId }).then(
          () => assert.fail(`${what}: accepted`),
          (e: unknown) => e,
        );
        assert.ok(err instanceof SubmissionError, `${what}: a SubmissionError (got ${String(err)})`);
        const hit = err.issues.find((x) => x.path === path || x.path.startsWith(path));
        assert.ok(
          hit,
          `${what}: an issue at ${path} (got ${err.issues.map((x) => `${x.path}: ${x.message.slice(0, 80)}`).join('; ')})`,
        );
        assert.match(hit.message, message, `${what}: the message says why`);
        assert.ok(hit.message.length < 500, `${what}: the message is short (${hit.message.length} chars)`);
        assert.equal(await client.exists(searchId), false, `${what}: no workflow`);
        lines.push(`${what} → ${hit.path}`);
      }
      assert.equal((await client.temporal.workflow.count()).count, 0, 'Temporal holds no workflow at all');
      report(
        'hostile values',
        'pass',
        `${cases.length}/${cases.length} rejected at their path with a clear message, 0 workflows started`,
      );
    } catch (err) {
      report('hostile values', 'fail', (err as Error).message.split('\n')[0] ?? '');
      throw err;
    }
  },
);
