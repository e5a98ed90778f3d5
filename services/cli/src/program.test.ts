import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FoldwiseEvent, SearchResult } from '@foldwise/spec';
import { hostPort } from './errors';
import { resultJson } from './output';
import { run } from './program';
import { createTally } from './watch';
import { gpuWorkerEnvs } from './worker';

const dir = mkdtempSync(join(tmpdir(), 'foldwise-cli-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdin = '',
): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d: Buffer) => (o += d.toString()));
  err.on('data', (d: Buffer) => (e += d.toString()));
  const code = await run(args, {
    out,
    err,
    env: { FOLDWISE_STACK_ENV: join(dir, 'absent.json'), ...env },
    stdin: () => stdin,
  });
  return { code, out: o, err: e };
}

test('an invalid spec exits 2 before connecting and prints each issue as "path: message"', async () => {
  const file = join(dir, 'bad.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'x',
      dataset: { builtin: 'iris' },
      cv: { k: 1 },
      metrics: { primary: 'accuracy' },
      models: [{ family: 'nope' }],
      budget: { trials: 0 },
    }),
  );
  const r = await cli(['submit', file], {
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    MONGODB_URI: 'mongodb://127.0.0.1:1',
  });
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.deepEqual(
    r.err
      .trim()
      .split('\n')
      .map((l) => l.split(': ')[0]),
    ['cv.k', 'models[0].family', 'budget.trials'],
  );
});

test('a spec file that is not valid YAML exits 2 and names the file', async () => {
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'name: [unclosed\n');
  const r = await cli(['submit', file]);
  assert.equal(r.code, 2);
  assert.match(r.err, /broken\.yaml: not valid YAML/);
});

test('unreachable services exit 3 and name each service with the variable that points at it', async () => {
  const r = await cli(['list'], { TEMPORAL_ADDRESS: '127.0.0.1:1', MONGODB_URI: 'mongodb://127.0.0.1:1/' });
  assert.equal(r.code, 3);
  assert.match(r.err, /^temporal unreachable at 127\.0\.0\.1:1 \(TEMPORAL_ADDRESS\)/m);
  assert.match(r.err, /^mongodb unreachable at mongodb:\/\/127\.0\.0\.1:1\/ \(MONGODB_URI\)/m);
});

test('--version prints the version of the CLI package and exits 0', async () => {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const r = await cli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.out.trim(), version);
});

test('the global connection flags win over the environment and are named when a service is unreachable', async () => {
  const r = await cli(['--address', '127.0.0.1:2', 'list', '--mongodb-uri', 'mongodb://127.0.0.1:3/db'], {
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    MONGODB_URI: 'mongodb://127.0.0.1:27017/',
  });
  assert.equal(r.code, 3);
  assert.match(r.err, /^temporal unreachable at 127\.0\.0\.1:2 \(--address\)/m);
  assert.match(r.err, /^mongodb unreachable at mongodb:\/\/127\.0\.0\.1:3\/db \(--mongodb-uri\)/m);
});

test("submit - reads the spec from standard input and reports its issues like a file's", async () => {
  const spec =
    'name: x\ndataset: { builtin: iris }\ncv: { k: 1 }\nmetrics: { primary: accuracy }\nmodels: [{ family: logistic }]\n';
  const r = await cli(['submit', '-'], { TEMPORAL_ADDRESS: '127.0.0.1:1' }, spec);
  assert.equal(r.code, 2);
  assert.match(r.err, /^cv\.k: /m);
  const broken = await cli(['submit', '-'], {}, 'name: [unclosed\n');
  assert.equal(broken.code, 2);
  assert.match(broken.err, /<stdin>: not valid YAML/);
});

test('the old spellings up, down and status (no id) still run their stack command, after a one-line notice', async () => {
  const r = await cli(['status'], { FOLDWISE_HOME: join(dir, 'no-stack') });
  assert.equal(r.code, 3);
  assert.equal(
    r.err.split('\n')[0],
    "foldwise: 'foldwise status' is now 'foldwise stack status'; the old spelling still works for now",
  );
  const now = await cli(['stack', 'status'], { FOLDWISE_HOME: join(dir, 'no-stack') });
  assert.equal(now.code, 3);
  assert.doesNotMatch(now.err, /is now/);
  assert.equal(now.out, r.out);
});

test('bad command-line arguments exit 2', async () => {
  assert.equal((await cli(['extend', 'some-id', 'many'])).code, 2);
  assert.equal((await cli(['no-such-command'])).code, 2);
  assert.equal((await cli(['worker', '--pool', 'tpu'])).code, 2);
  assert.equal((await cli(['export', 'some-id', '--format', 'xlsx'])).code, 2);
  assert.equal((await cli(['list', '--status', 'sleeping'])).code, 2);
});

test('host and port are read from Temporal, MongoDB and NATS addresses', () => {
  assert.deepEqual(hostPort('127.0.0.1:7233', 7233), { host: '127.0.0.1', port: 7233 });
  assert.deepEqual(hostPort('mongodb://user:pw@db.local:27018,other:1/foldwise?x=1', 27017), {
    host: 'db.local',
    port: 27018,
  });
  assert.deepEqual(hostPort('mongodb://db.local/', 27017), { host: 'db.local', port: 27017 });
  assert.deepEqual(hostPort('nats://[::1]:4223', 4222), { host: '::1', port: 4223 });
});

test('the --json document carries each trial with its completed folds and metric mean, std and interval', () => {
  const r: SearchResult = {
    searchId: 's1',
    status: 'completed',
    best: {
      trialId: 's1:0',
      model: 'mlp',
      params: { units: 8 },
      metric: 'accuracy',
      score: 0.9,
      ci95: [0.8, 1],
    },
    leaderboard: [
      {
        trialIndex: 0,
        trialId: 's1:0',
        model: 'mlp',
        params: { units: 8 },
        status: 'completed',
        foldScores: [0.9, null, 0.9],
        metrics: { accuracy: { mean: 0.9, std: 0, ci95: [0.9, 0.9], n: 2 } },
        epochsTrained: 10,
      },
    ],
    counts: { trials: 1, completed: 1, pruned: 0, failed: 0, foldsRun: 2, foldsSkipped: 1 },
  };
  const doc = resultJson(r);
  assert.equal(doc.leaderboard[0]?.folds, 2);
  assert.deepEqual(doc.leaderboard[0]?.metrics['accuracy'], { mean: 0.9, std: 0, ci95: [0.9, 0.9] });
  assert.equal(doc.comparison, null);
  assert.deepEqual(JSON.parse(JSON.stringify(doc)).best, r.best);
});

test('progress counts each fold and trial once even when events are redelivered', () => {
  const { tally, add } = createTally();
  const ts = '2026-01-01T00:00:00Z';
  const events: FoldwiseEvent[] = [
    {
      kind: 'started',
      searchId: 's',
      ts,
      payload: { name: 'n', models: ['mlp'], plannedTrials: 2, foldsPerTrial: 3 },
    },
    {
      kind: 'fold',
      searchId: 's',
      ts,
      trialIndex: 0,
      fold: 0,
      attempt: 1,
      payload: { status: 'completed', model: 'mlp', metrics: {}, epochsTrained: 1, durationMs: 1 },
    },
    {
      kind: 'fold',
      searchId: 's',
      ts,
      trialIndex: 0,
      fold: 0,
      attempt: 2,
      payload: { status: 'completed', model: 'mlp', metrics: {}, epochsTrained: 1, durationMs: 1 },
    },
    {
      kind: 'fold',
      searchId: 's',
      ts,
      trialIndex: 0,
      fold: 1,
      attempt: 1,
      payload: { status: 'pruned', model: 'mlp', metrics: {}, epochsTrained: 1, durationMs: 1 },
    },
    {
      kind: 'trial',
      searchId: 's',
      ts,
      trialIndex: 0,
      payload: { status: 'pruned', model: 'mlp', params: {} },
    },
    {
      kind: 'trial',
      searchId: 's',
      ts,
      trialIndex: 0,
      payload: { status: 'pruned', model: 'mlp', params: {} },
    },
  ];
  events.forEach(add);
  assert.deepEqual(
    { ...tally },
    {
      foldsDone: 2,
      foldsTotal: 6,
      trialsDone: 1,
      trialsTotal: 2,
      pruned: 1,
      failed: 0,
      startedAt: Date.parse(ts),
    },
  );
});

test('schema writes the JSON Schema of a spec, with every cv kind and the space domains spelled out', async () => {
  const file = join(dir, 'schema', 'foldwise.schema.json');
  const r = await cli(['schema', '-o', file]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /wrote the spec's JSON Schema to .*foldwise\.schema\.json/);
  const schema = JSON.parse(readFileSync(file, 'utf8')) as {
    $schema: string;
    required: string[];
    properties: {
      cv: { properties: { kind: { enum: string[] } } };
      models: {
        items: {
          properties: {
            space: { additionalProperties: { oneOf: { properties: { type: { const?: string } } }[] } };
          };
        };
      };
    };
  };
  assert.match(schema.$schema, /json-schema\.org/);
  assert.deepEqual([...schema.required].sort(), ['budget', 'dataset', 'metrics', 'models', 'name']);
  assert.deepEqual(schema.properties.cv.properties.kind.enum, [
    'kfold',
    'stratified',
    'repeated-kfold',
    'repeated-stratified',
    'shuffle-split',
    'group',
    'stratified-group',
    'time-series',
  ]);
  const domains = schema.properties.models.items.properties.space.additionalProperties.oneOf.map(
    (d) => d.properties.type.const,
  );
  for (const t of ['choice', 'uniform', 'logUniform', 'intUniform', 'intLogUniform', 'step'])
    assert.ok(domains.includes(t), `space domain ${t} in ${domains.join(', ')}`);
  const printed = await cli(['schema']);
  assert.deepEqual(JSON.parse(printed.out), schema);
});

test('a gpu pool runs one worker per visible GPU, each pinned, one slot, its own metrics ports, one on the control queue', () => {
  assert.deepEqual(gpuWorkerEnvs([], { A: '1' }), [{ A: '1', FOLDWISE_SLOTS: '1' }]);
  const envs = gpuWorkerEnvs(['0', '3'], { METRICS_PORT: '9500', FOLDWISE_IDENTITY: 'box' });
  assert.deepEqual(
    envs.map((e) => [
      e['CUDA_VISIBLE_DEVICES'],
      e['FOLDWISE_SLOTS'],
      e['METRICS_PORT'],
      e['FOLDWISE_CONTROL'],
      e['FOLDWISE_IDENTITY'],
    ]),
    [
      ['0', '1', '9500', 'true', 'box-gpu0'],
      ['3', '1', '9502', 'false', 'box-gpu3'],
    ],
  );
  assert.throws(
    () => gpuWorkerEnvs(['0', '1'], { METRICS_PORT: '65534' }),
    /METRICS_PORT: must leave room for 2 workers/,
  );
});

test('worker --pool gpu --slots 2 exits 2: one slot per GPU', async () => {
  const r = await cli(['worker', '--pool', 'gpu', '--slots', '2']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--slots: a gpu pool trains one fold per GPU \(got 2\)/);
});
