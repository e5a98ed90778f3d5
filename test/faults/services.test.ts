import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FoldwiseClient } from '@foldwise/sdk';
import { eventSubject, type FoldDoc, type FoldwiseEvent, type SearchSpecInput } from '@foldwise/spec';
import { connect as natsConnect } from 'nats';
import {
  connectClient,
  faultDir,
  faultEvents,
  scenario,
  startControlWorker,
  startPoolWorker,
  startPrivateStack,
  waitFor,
  type PrivateStack,
} from '../support/faults';
import type { WorkerProcess } from '../support/workers';

const run = randomBytes(3).toString('hex');
let stack: PrivateStack;
let client: FoldwiseClient;
let dir: string;
const workers: WorkerProcess[] = [];

/** Retry policy of trainFold (workflows/src/trial.ts). */
const MAX_FOLD_ATTEMPTS = 6;

/** The JetStream stream foldwise publishes to (libs/events default). */
const STREAM = 'FOLDWISE';

const spec = (name: string, epochs = 10): SearchSpecInput => ({
  name: `${name}-${run}`,
  dataset: { builtin: 'digits', subset: 600 },
  cv: { kind: 'stratified', k: 3 },
  metrics: { primary: 'accuracy', report: [] },
  models: [
    {
      family: 'mlp',
      params: { epochs, batchSize: 32, hiddenLayers: 1 },
      space: { units: { type: 'choice', values: [16, 32, 64] } },
    },
  ],
  strategy: { kind: 'grid' },
  budget: { trials: 3, parallelism: 3 },
  refit: false,
  seed: 5,
});

const written = (searchId: string) =>
  faultEvents(dir).filter((e) => e.point === 'fold-written' && e.foldId.startsWith(`${searchId}:`));

const checkFolds = (folds: FoldDoc[]) => {
  assert.equal(folds.length, 9, '3 trials × 3 folds');
  assert.equal(
    new Set(folds.map((f) => `${f.trialIndex}:${f.fold}`)).size,
    9,
    'one document per (trial, fold)',
  );
  const maxAttempt = Math.max(...folds.map((f) => f.attempt));
  assert.ok(maxAttempt <= MAX_FOLD_ATTEMPTS, `attempts within the retry policy (max ${maxAttempt})`);
  return maxAttempt;
};

const streamed = async (handle: { progress(o: { from: 'start' }): AsyncIterable<FoldwiseEvent> }) => {
  const events: FoldwiseEvent[] = [];
  for await (const e of handle.progress({ from: 'start' })) events.push(e);
  return events;
};

/** Messages JetStream holds for one search and kind (whatever their order across publishers). */
async function storedCount(searchId: string, kind?: 'fold'): Promise<number> {
  const nc = await natsConnect({ servers: stack.env.NATS_URL, reconnect: false, timeout: 2000 });
  try {
    const jsm = await nc.jetstreamManager();
    const subject = eventSubject(searchId, kind);
    const info = await jsm.streams.info(STREAM, { subjects_filter: subject });
    return Object.values(info.state.subjects ?? {}).reduce((n, c) => n + c, 0);
  } finally {
    await nc.close();
  }
}

before(async () => {
  stack = await startPrivateStack('services');
  dir = faultDir(stack, 'services');
  client = await connectClient(stack.env);
  workers.push(await startControlWorker(stack.env, dir));
  workers.push(await startPoolWorker(stack.env, dir));
  workers.push(await startPoolWorker(stack.env, dir));
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop(5000)));
  await client?.close();
  await stack?.close();
});

test(
  'the Temporal dev server restarts mid-search on the same database and port: workers reconnect and the search completes intact',
  { timeout: 300_000 },
  async () => {
    await scenario('5 Temporal dev server restart', async () => {
      const handle = await client.submit(spec('faults-temporal'));
      await waitFor('two folds written', () => written(handle.searchId).length >= 2, 120_000);
      await stack.stop('temporal');
      const downAt = Date.now();
      await sleep(3000);
      await stack.start('temporal');
      const upAt = Date.now();
      const before = written(handle.searchId).length;
      const next = await waitFor(
        'a fold written after the restart',
        () => written(handle.searchId).find((e) => e.t > upAt),
        180_000,
      );
      const result = await handle.result();
      assert.equal(result.status, 'completed');
      assert.equal(result.counts.completed, 3, 'every trial completes');
      const maxAttempt = checkFolds(await handle.foldDocs());
      return `server down ${((upAt - downAt) / 1000).toFixed(1)} s with ${before} folds written; next fold written ${((next.t - upAt) / 1000).toFixed(1)} s after it came back; 9/9 fold docs, max attempt ${maxAttempt}`;
    });
  },
);

test(
  'FerretDB and NATS each stop for 10 s during a search: it completes, attempts within the retry policy, every event delivered',
  { timeout: 300_000 },
  async () => {
    await scenario('6a FerretDB and NATS down 10 s each', async () => {
      const handle = await client.submit(spec('faults-outage', 120));
      await waitFor('two folds written', () => written(handle.searchId).length >= 2, 120_000);
      const mongoDown = Date.now();
      await stack.stop('ferretdb');
      await sleep(10_000);
      await stack.start('ferretdb');
      const mongoBack = Date.now();
      const afterMongo = await waitFor(
        'a fold written after FerretDB returned',
        () => written(handle.searchId).find((e) => e.t > mongoBack),
        180_000,
      );
      const beforeNats = written(handle.searchId).length;
      await stack.stop('nats');
      await sleep(10_000);
      await stack.start('nats');
      const result = await handle.result();
      assert.equal(result.status, 'completed');
      assert.equal(result.counts.completed, 3, 'every trial completes');
      const maxAttempt = checkFolds(await handle.foldDocs());
      const starts = faultEvents(dir).filter(
        (e) => e.point === 'fold-start' && e.foldId.startsWith(`${handle.searchId}:`),
      );
      const maxStart = Math.max(...starts.map((e) => e.attempt));
      assert.ok(
        maxStart <= MAX_FOLD_ATTEMPTS,
        `no fold needed more than ${MAX_FOLD_ATTEMPTS} attempts (max ${maxStart})`,
      );
      const mine = faultEvents(dir).filter((e) => e.foldId.startsWith(`${handle.searchId}:`));
      const ids = new Set(mine.map((e) => e.foldId));
      const spanning = [...ids].filter((id) => {
        const of = mine.filter((e) => e.foldId === id);
        const writtenBefore = of.some((e) => e.point === 'fold-written' && e.t < mongoDown);
        return !writtenBefore && of.some((e) => e.t < mongoDown) && of.some((e) => e.t > mongoDown);
      });
      assert.ok(
        spanning.length >= 1,
        `at least one fold was in flight across the FerretDB outage (${JSON.stringify(mine.map((e) => [e.point[5], e.foldId.split(':').slice(-2).join('/'), e.attempt, e.t - mongoDown]))})`,
      );
      const foldEvents = await waitFor(
        '9 fold events on JetStream',
        async () =>
          (await storedCount(handle.searchId, 'fold')) >= 9
            ? storedCount(handle.searchId, 'fold')
            : undefined,
        60_000,
        1000,
      );
      assert.equal(foldEvents, 9, 'one fold event per fold after NATS returned');
      const events = await streamed(handle);
      assert.ok(events.some((e) => e.kind === 'completed'));
      return `9/9 fold docs; ${spanning.length} folds in flight across the 10 s FerretDB outage, first write ${((afterMongo.t - mongoBack) / 1000).toFixed(1)} s after it returned; NATS stopped with ${beforeNats}/9 folds written; max attempt ${Math.max(maxAttempt, maxStart)} of ${MAX_FOLD_ATTEMPTS}; ${events.length} events incl. 9 fold events on JetStream`;
    });
  },
);

test(
  'with NATS down for the whole search the results in MongoDB are complete, and progress resumes when NATS returns',
  { timeout: 300_000 },
  async () => {
    await scenario('6b NATS down for the whole search', async () => {
      await stack.stop('nats');
      const handle = await client.submit(spec('faults-nonats', 4));
      const result = await handle.result();
      assert.equal(result.status, 'completed');
      checkFolds(await handle.foldDocs());
      const board = await handle.leaderboard();
      assert.equal(board.length, 3, 'every trial aggregated in MongoDB');
      await stack.start('nats');
      const back = Date.now();
      const events = await waitFor(
        'the buffered events of every worker on JetStream',
        async () => {
          const n = await storedCount(handle.searchId, 'fold').catch(() => 0);
          return n >= 9 ? streamed(handle) : undefined;
        },
        120_000,
        1000,
      );
      const resumedS = (Date.now() - back) / 1000;
      assert.equal(
        await storedCount(handle.searchId, 'fold'),
        9,
        'the buffered fold events arrive, each once',
      );
      assert.ok(events.some((e) => e.kind === 'completed'));
      return `9/9 fold docs and 3 trial aggregates with NATS down; ${await storedCount(handle.searchId)} buffered events (9 fold, each once) on JetStream ${resumedS.toFixed(1)} s after NATS returned`;
    });
  },
);
