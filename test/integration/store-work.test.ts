/**
 * The store work of a search's fold, trial and search paths does not grow with what the store already holds: the
 * activities run over the worker's real store port against FerretDB, once on an empty database and once on one that
 * already holds thousands of fold documents of other searches, and the driver's command log of each path must be the
 * same — inserts, plus one update of the search by `_id` when it ends, and no read, count or scan of any collection
 * (on FerretDB's SQLite backend every read is a collection scan, so a read here would cost what the store holds).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { CommandStartedEvent } from 'mongodb';
import { createActivities, createStorePort, type ActivityDeps, type TrainerPort } from '@foldwise/activities';
import { loadDataset } from '@foldwise/datasets';
import { parseSearchSpec, type SearchPlan, type TrainFoldSummary } from '@foldwise/spec';
import { connectStore, type Store } from '@foldwise/store';
import { ageStore } from '../support/aged-store';
import { stackEnv } from '../support/stack';

const OTHER_FOLDS = 3_000;
const tag = randomBytes(3).toString('hex');
const dbFresh = `foldwise_test_storework_fresh_${tag}`;
const dbAged = `foldwise_test_storework_aged_${tag}`;

/** A trainer that predicts the true labels at once: this test is about the store, not training. */
const trainer: TrainerPort = {
  backend: 'fake',
  async train(job, hooks) {
    const curve = [1, 2].map((epoch) => ({ epoch, trainLoss: 1 / epoch, valLoss: 1 / epoch, valScore: 1 }));
    for (const c of curve) hooks.onEpoch(c);
    return {
      epochsTrained: 2,
      stoppedEarly: false,
      curve,
      valPred: Float64Array.from(job.yVal),
      backend: 'fake',
      samplesTrained: job.yTrain.length * 2,
    };
  },
  refit: () => Promise.reject(new Error('not used')),
};

/** One command as the log keeps it: name, collection and the fields of its filter. */
const describe = (e: CommandStartedEvent): string => {
  const c = e.command as Record<string, unknown>;
  const coll = typeof c[e.commandName] === 'string' ? (c[e.commandName] as string) : '';
  const filters = [
    c['filter'],
    ...((c['updates'] as { q: unknown }[] | undefined) ?? []).map((u) => u.q),
    ...((c['deletes'] as { q: unknown }[] | undefined) ?? []).map((d) => d.q),
  ].filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null);
  const keys = filters.map((f) => Object.keys(f).sort().join(',')).join('|');
  return `${e.commandName} ${coll}${keys ? ` {${keys}}` : ''}`;
};

interface Log {
  prepare: string[];
  folds: string[][];
  trials: string[][];
  finish: string[];
}

/** Runs a 2-trial × 3-fold search's store path through the activities and returns each step's commands. */
async function searchPath(store: Store): Promise<Log> {
  const commands: string[] = [];
  const listener = (e: CommandStartedEvent): void => {
    if (!['endSessions', 'hello', 'isMaster', 'ping'].includes(e.commandName)) commands.push(describe(e));
  };
  store.client.on('commandStarted', listener);
  const take = (): string[] => commands.splice(0);
  const deps = {
    store: createStorePort(store, { warn: () => undefined }),
    events: { publish: () => undefined },
    telemetry: {
      foldStarted: () => undefined,
      foldFinished: () => undefined,
      epochsTrained: () => undefined,
      foldRetried: () => undefined,
      trialFinished: () => undefined,
      bestScore: () => undefined,
    },
    data: { load: (ref) => loadDataset(ref as never) },
    trainer,
    worker: { identity: 'cpu@store-work:1', pool: 'cpu' },
    checkpointEvery: 2,
    heartbeatMs: 60_000,
  } as ActivityDeps;
  const acts = createActivities(deps);
  const env = new MockActivityEnvironment();
  const spec = parseSearchSpec({
    name: 'store-work',
    dataset: { builtin: 'iris' },
    cv: { kind: 'stratified', k: 3 },
    metrics: { primary: 'accuracy' },
    models: [{ family: 'logistic', params: { epochs: 2 } }],
    budget: { trials: 2, parallelism: 1 },
    seed: 3,
  });
  const searchId = `search-store-work-${randomBytes(3).toString('hex')}`;
  try {
    take();
    const plan = (await env.run(acts.prepareSearch, {
      searchId,
      spec,
      dataset: { builtin: 'iris' },
    })) as SearchPlan;
    const log: Log = { prepare: take(), folds: [], trials: [], finish: [] };
    for (const trialIndex of [0, 1]) {
      const summaries: TrainFoldSummary[] = [];
      for (let fold = 0; fold < plan.nFolds; fold++) {
        summaries.push(
          (await env.run(acts.trainFold, {
            searchId,
            trialIndex,
            fold,
            nFolds: plan.nFolds,
            model: 'logistic',
            params: { epochs: 2 },
            dataset: { builtin: 'iris' },
            cv: spec.cv,
            seed: spec.seed,
            planHash: plan.planHash,
            task: plan.task,
            metrics: ['accuracy'],
            label: 'logistic',
          })) as TrainFoldSummary,
        );
        log.folds.push(take());
      }
      await env.run(acts.finishTrial, {
        searchId,
        trialIndex,
        status: 'completed' as const,
        foldsSkipped: [],
        prunedBy: undefined,
        error: undefined,
        primary: plan.primary,
        folds: summaries.map((s) => ({ fold: s.fold, metrics: s.metrics, epochsTrained: s.epochsTrained })),
        model: 'logistic',
        params: { epochs: 2 },
        foldCount: plan.nFolds,
        testTrainRatio: plan.testTrainRatio,
      });
      log.trials.push(take());
    }
    await env.run(acts.finishSearch, {
      searchId,
      status: 'completed' as const,
      best: undefined,
      counts: { trials: 2, completed: 2, pruned: 0, failed: 0, foldsRun: 6, foldsSkipped: 0 },
    });
    log.finish = take();
    const trials = await store.trials.forSearch(searchId);
    assert.deepEqual(
      trials.map((t) => [t.trialIndex, t.status, t.foldsCompleted, t.metrics['accuracy']?.mean]),
      [
        [0, 'completed', 3, 1],
        [1, 'completed', 3, 1],
      ],
      'the trials were recorded with their folds aggregated',
    );
    assert.equal((await store.searches.get(searchId))?.counts.foldsCompleted, 6);
    return log;
  } finally {
    store.client.off('commandStarted', listener);
  }
}

let fresh: Store;
let aged: Store;

before(async () => {
  const { MONGODB_URI } = stackEnv();
  const held = await ageStore(MONGODB_URI, dbAged, OTHER_FOLDS, () => undefined);
  assert.ok(held.folds >= OTHER_FOLDS);
  fresh = await connectStore({ uri: MONGODB_URI, dbName: dbFresh, monitorCommands: true });
  aged = await connectStore({ uri: MONGODB_URI, dbName: dbAged, monitorCommands: true });
  await fresh.ensureIndexes();
});

after(async () => {
  for (const s of [fresh, aged]) {
    await s?.db.dropDatabase().catch(() => undefined);
    await s?.close();
  }
});

void test('a fold, a trial and a search each issue the same inserts on an empty store and on one holding thousands of other folds, and no read', async () => {
  const empty = await searchPath(fresh);
  const full = await searchPath(aged);
  assert.deepEqual(empty.prepare, ['insert searches']);
  for (const fold of empty.folds)
    assert.deepEqual(fold, ['insert folds'], 'one write per fold, no read before it');
  for (const trial of empty.trials) assert.deepEqual(trial, ['insert trials'], 'a trial is written once');
  assert.deepEqual(empty.finish, ['update searches {_id}'], 'one update of the search by _id');
  assert.deepEqual(full, empty, 'the same commands whatever the store already holds');
});
