import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { FoldwiseClient } from '@foldwise/sdk';
import { meanCi } from '@foldwise/compare';
import { planFolds } from '@foldwise/activities';
import { parseCsv } from '@foldwise/datasets';
import { parseSearchSpec } from '@foldwise/spec';
import type { FoldwiseEvent, SearchResult, SearchSpecInput } from '@foldwise/spec';
import { waitFor } from '../support/faults';
import { stackEnv } from '../support/stack';
import { scrapeMetrics, startWorkerProcess, sumMetric, type WorkerProcess } from '../support/workers';

const run = randomBytes(3).toString('hex');
let client: FoldwiseClient;
let workers: WorkerProcess[] = [];
let metricsBefore = 0;

const digitsSpec: SearchSpecInput = {
  name: `e2e-digits-${run}`,
  dataset: { builtin: 'digits' },
  cv: { kind: 'stratified', k: 5 },
  metrics: { primary: 'accuracy', report: ['f1_macro', 'neg_log_loss'] },
  models: [
    {
      family: 'logistic',
      params: { epochs: 5, batchSize: 64 },
      space: { learningRate: { type: 'logUniform', low: 0.01, high: 0.3 } },
    },
    {
      family: 'mlp',
      params: { epochs: 5, batchSize: 64, hiddenLayers: 1 },
      space: {
        units: { type: 'choice', values: [16, 32] },
        learningRate: { type: 'logUniform', low: 0.001, high: 0.03 },
      },
    },
  ],
  strategy: { kind: 'random' },
  budget: { trials: 8, parallelism: 4 },
  comparison: { topK: 4 },
  seed: 11,
};

before(async () => {
  const env = stackEnv();
  client = await FoldwiseClient.connect({
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    mongodbUri: env.MONGODB_URI,
    mongodbDb: env.MONGODB_DB,
    natsUrl: env.NATS_URL,
  });
  // Checkpoint every 2 epochs whatever the time (the default waits 10 s between checkpoints), to exercise them.
  const poolEnv = { FOLDWISE_SLOTS: '1', FOLDWISE_CHECKPOINT_SECONDS: '0' };
  workers = [await startWorkerProcess(poolEnv), await startWorkerProcess(poolEnv)];
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers)
    metricsBefore += sumMetric(await scrapeMetrics(w.metricsPort), 'foldwise_folds_total', {
      outcome: 'completed',
    });
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await client?.close();
});

let result: SearchResult;
let searchId: string;

test(
  'a digits search with two model families and 8 configurations finishes on the real stack',
  { timeout: 600_000 },
  async () => {
    const handle = await client.submit(digitsSpec);
    searchId = handle.searchId;
    result = await handle.result();
    assert.equal(result.status, 'completed');
    assert.equal(result.counts.trials, 8);
    assert.ok(result.best, 'a best configuration is reported');
    assert.ok(result.best.score > 0.8, `digits accuracy ${result.best.score} should be well above chance`);
    const families = new Set(result.leaderboard.map((t) => t.model));
    assert.deepEqual([...families].sort(), ['logistic', 'mlp']);
    assert.ok(result.comparison, 'the top configurations are compared');
    assert.ok(result.comparison.verdict.length > 0);
    assert.ok(result.refit?.artifact, 'the winner is refit and stored');
  },
);

test('MongoDB holds exactly configurations × folds fold documents, one per (trial, fold)', async () => {
  const folds = await client.get(searchId).foldDocs();
  assert.equal(folds.length, 8 * 5);
  const keys = new Set(folds.map((f) => `${f.trialIndex}:${f.fold}`));
  assert.equal(keys.size, 40);
  assert.ok(
    folds.every((f) => f.splitHash === folds[0]?.splitHash),
    'every fold was scored on the same plan',
  );
});

test(
  'the search document counts the fold documents, and GridFS keeps no checkpoint of a finished fold',
  { timeout: 60_000 },
  async () => {
    const folds = await client.get(searchId).foldDocs();
    const doc = await client.store.searches.get(searchId);
    assert.deepEqual(doc?.counts, {
      trials: 8,
      trialsCompleted: 8,
      trialsPruned: 0,
      trialsFailed: 0,
      folds: 40,
      foldsCompleted: folds.length,
    });
    // These workers checkpoint every 2 epochs (FOLDWISE_CHECKPOINT_SECONDS=0), so every fold of 5 epochs wrote some.
    assert.ok(
      folds.every((f) => f.epochsTrained >= 2),
      'every fold trained long enough to checkpoint',
    );
    // Removal runs after each fold's activity returns, so give it a moment.
    await waitFor(
      'the checkpoints of finished folds to be removed',
      async () => (await client.store.artifacts.list(`checkpoints/${searchId}:`)).length === 0,
      10_000,
    );
  },
);

test('trial aggregates equal what the fold documents imply', async () => {
  const handle = client.get(searchId);
  const folds = await handle.foldDocs();
  const board = await handle.leaderboard();
  assert.equal(board.length, 8);
  for (const row of board) {
    const scores = folds
      .filter((f) => f.trialIndex === row.trialIndex)
      .map((f) => f.metrics['accuracy'] as number);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    assert.ok(Math.abs((row.metrics['accuracy']?.mean ?? NaN) - mean) < 1e-12, `trial ${row.trialId} mean`);
    const ci = meanCi(scores);
    assert.ok(Math.abs((row.metrics['accuracy']?.std ?? NaN) - ci.std) < 1e-12, `trial ${row.trialId} std`);
  }
  for (let i = 1; i < board.length; i++) {
    assert.ok((board[i - 1]?.metrics['accuracy']?.mean ?? 0) >= (board[i]?.metrics['accuracy']?.mean ?? 0));
  }
});

test('the JetStream events replay in order for the whole search', { timeout: 60_000 }, async () => {
  const events: FoldwiseEvent[] = [];
  for await (const e of client.get(searchId).progress({ from: 'start' })) events.push(e);
  assert.equal(events[0]?.kind, 'started');
  assert.equal(events.at(-1)?.kind, 'completed');
  const foldEvents = events.filter((e) => e.kind === 'fold');
  assert.equal(foldEvents.length, 40, 'one fold event per fold, retries deduplicated');
  const trialEvents = events.filter((e) => e.kind === 'trial');
  assert.equal(trialEvents.length, 8);
  for (const t of trialEvents) {
    const at = events.indexOf(t);
    const lastFold = events.findLastIndex(
      (e) =>
        e.kind === 'fold' && 'trialIndex' in e && e.trialIndex === (t as { trialIndex: number }).trialIndex,
    );
    assert.ok(
      lastFold < at,
      `trial ${(t as { trialIndex: number }).trialIndex}: its fold events precede its trial event`,
    );
  }
});

test('/metrics counters of the two workers match the fold documents', async () => {
  let completed = 0;
  for (const w of workers)
    completed += sumMetric(await scrapeMetrics(w.metricsPort), 'foldwise_folds_total', {
      outcome: 'completed',
    });
  assert.equal(completed - metricsBefore, 40);
});

test('cancelling a running search stops it and leaves consistent records', { timeout: 300_000 }, async () => {
  const handle = await client.submit({
    ...digitsSpec,
    name: `e2e-cancel-${run}`,
    budget: { trials: 30, parallelism: 2 },
  });
  for await (const e of handle.progress({ from: 'start' })) if (e.kind === 'fold') break;
  await handle.cancel();
  await assert.rejects(handle.result(), /cancel/i);
  const atAck = (await handle.foldDocs()).length;
  await new Promise((r) => setTimeout(r, 5000));
  const later = await handle.foldDocs();
  assert.equal(later.length, atAck, 'no fold document appears after the cancellation is acknowledged');
  const doc = await client.store.searches.get(handle.searchId);
  assert.equal(doc?.status, 'cancelled');
  const trials = await client.store.trials.forSearch(handle.searchId);
  assert.ok(
    trials.every((t) => t.status !== 'running'),
    'no trial is left running',
  );
  for (const t of trials.filter((x) => x.status === 'completed')) {
    assert.equal(later.filter((f) => f.trialIndex === t.trialIndex).length, 5);
  }
});

test('the SDK reads a finished search back: list, get, leaderboard, compare, status, and the refit model on disk', async () => {
  const listed = await client.list({ limit: 50 });
  assert.ok(
    listed.some((d) => d._id === searchId && d.status === 'completed'),
    'the search is listed as completed',
  );
  const handle = client.get(searchId);
  const board = await handle.leaderboard();
  assert.deepEqual(
    board.map((r) => r.trialId),
    result.leaderboard.filter((t) => t.status === 'completed').map((t) => t.trialId),
    'the MongoDB leaderboard ranks as the workflow did',
  );
  const cmp = await handle.compare({ topK: 3, tests: ['corrected-t', 'wilcoxon'] });
  assert.ok(cmp, 'a comparison of the top 3');
  assert.equal(cmp.candidates.length, 3);
  assert.equal(cmp.candidates[0]?.trialId, board[0]?.trialId);
  assert.ok(cmp.verdict.length > 0);
  assert.equal(cmp.pairwise.length, 2, 'the best against each of the other two');
  for (const p of cmp.pairwise) {
    assert.ok(p.correctedT && p.wilcoxon && p.bayesian === undefined, 'exactly the tests asked for');
    assert.ok(
      p.correctedT.pHolm >= p.correctedT.pValue && p.wilcoxon.pHolm >= p.wilcoxon.pValue,
      'Holm never lowers a p-value',
    );
  }
  const status = await handle.status();
  assert.equal(status.phase, 'done');
  const attrs = (await handle.workflow.describe()).typedSearchAttributes;
  assert.equal(
    attrs.get(defineSearchAttributeKey('FoldwiseStatus', SearchAttributeType.KEYWORD)),
    'completed',
  );
  assert.equal(
    attrs.get(defineSearchAttributeKey('FoldwiseSearchName', SearchAttributeType.KEYWORD)),
    digitsSpec.name,
  );
  assert.equal(
    attrs.get(defineSearchAttributeKey('FoldwiseModel', SearchAttributeType.KEYWORD)),
    result.best?.model,
  );
  assert.ok(
    Math.abs(
      (attrs.get(defineSearchAttributeKey('FoldwiseBestScore', SearchAttributeType.DOUBLE)) ?? NaN) -
        (result.best?.score ?? NaN),
    ) < 1e-12,
  );
  assert.equal(status.completed, 8);
  const dir = mkdtempSync(join(tmpdir(), 'foldwise-model-'));
  try {
    const files = await handle.downloadModel(dir);
    assert.ok(
      files.some((f) => f.endsWith('model.json')),
      `model.json among ${files.join(', ')}`,
    );
    const model = JSON.parse(
      readFileSync(
        files.find((f) => f.endsWith('model.json'))!,
        'utf8',
      ),
    ) as { modelTopology?: unknown; weightsManifest?: unknown };
    assert.ok(model.modelTopology && model.weightsManifest, 'a tfjs LayersModel artifact');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'a family registered from a module in the worker configuration is searched as custom:<name>, refit included',
  { timeout: 300_000 },
  async () => {
    const own = [
      await startWorkerProcess({
        FOLDWISE_SLOTS: '1',
        FOLDWISE_POOL: 'gpu',
        FOLDWISE_FAMILY_MODULES: 'libs/models/src/fixtures/tiny-family.ts',
      }),
    ];
    try {
      await Promise.all(own.map((w) => w.ready));
      assert.match(
        own[0]!.output(),
        /"families":\["custom:tiny"\],"msg":"registered the configured model families"/,
      );
      const handle = await client.submit({
        name: `e2e-custom-${run}`,
        dataset: { builtin: 'iris' },
        cv: { kind: 'stratified', k: 3 },
        metrics: { primary: 'accuracy' },
        models: [
          {
            family: 'custom:tiny',
            params: { epochs: 20 },
            space: { width: { type: 'choice', values: [4, 16] } },
          },
        ],
        strategy: { kind: 'grid' },
        budget: { trials: 2, parallelism: 2 },
        pool: 'gpu',
        seed: 3,
      });
      const res = await handle.result();
      assert.equal(res.status, 'completed');
      assert.deepEqual(
        res.leaderboard.map((t) => t.model),
        ['custom:tiny', 'custom:tiny'],
      );
      assert.equal((await handle.foldDocs()).length, 6);
      assert.ok(res.refit?.artifact, 'the custom winner is refit on the worker that registered the family');
    } finally {
      await Promise.all(own.map((w) => w.stop()));
    }
  },
);

test(
  'a user CSV with a groups column is searched with group k-fold: the folds the workers scored keep every group whole',
  { timeout: 300_000 },
  async () => {
    const dir = join(process.cwd(), '.cache', 'e2e-data');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `visits-${run}.csv`);
    const rows = ['patient,a,b,label'];
    for (let i = 0; i < 150; i++) {
      const label = i % 3;
      const patient = `p${(i * 7) % 15}`;
      rows.push(
        `${patient},${(label + Math.sin(i) * 0.4).toFixed(4)},${(label * 0.5 + Math.cos(i * 1.3) * 0.4).toFixed(4)},c${label}`,
      );
    }
    writeFileSync(file, rows.join('\n'));
    try {
      const input: SearchSpecInput = {
        name: `e2e-groups-${run}`,
        dataset: { path: file, target: 'label', groups: 'patient' },
        cv: { kind: 'group', k: 4, holdout: 0.2 },
        metrics: { primary: 'accuracy' },
        models: [
          {
            family: 'logistic',
            params: { epochs: 10 },
            space: { learningRate: { type: 'choice', values: [0.05, 0.3] } },
          },
        ],
        strategy: { kind: 'grid' },
        budget: { trials: 2, parallelism: 2 },
        seed: 9,
      };
      const handle = await client.submit(input);
      const res = await handle.result();
      assert.equal(res.status, 'completed');
      const folds = await handle.foldDocs();
      assert.equal(folds.length, 2 * 4);
      const ds = parseCsv(readFileSync(file), { target: 'label', groups: 'patient' });
      const parsed = parseSearchSpec(input);
      const plan = planFolds(ds, parsed.cv, parsed.seed);
      assert.ok(
        folds.every((f) => f.splitHash === plan.hash),
        'the workers scored exactly the group plan rebuilt here',
      );
      const groups = ds.groups as Int32Array;
      const held = new Set(Array.from(plan.holdout, (i) => groups[i]));
      for (const f of plan.folds) {
        const tested = new Set(Array.from(f.test, (i) => groups[i]));
        assert.ok(
          Array.from(f.train).every((i) => !tested.has(groups[i]!) && !held.has(groups[i]!)),
          'no patient on both sides of a fold or of the hold-out',
        );
      }
      assert.equal(res.refit?.nTest, plan.holdout.length);
      assert.equal(
        typeof res.refit?.testMetrics?.['accuracy'],
        'number',
        'the refit winner is scored once on the held-out patients',
      );
    } finally {
      rmSync(file, { force: true });
    }
  },
);
