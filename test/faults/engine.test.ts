import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FoldwiseClient } from '@foldwise/sdk';
import {
  TaskQueue,
  parseSearchSpec,
  trialWorkflowId,
  type SearchResult,
  type SearchSpecInput,
} from '@foldwise/spec';
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

const forSearch = (searchId: string) => faultEvents(dir).filter((e) => e.foldId.startsWith(`${searchId}:`));

/** When Temporal recorded the first request to cancel one of the trial's activities (ms since the epoch). */
async function activityCancelRequestedAt(searchId: string, trialIndex: number): Promise<number | undefined> {
  const history = await client.temporal.workflow
    .getHandle(trialWorkflowId(searchId, trialIndex))
    .fetchHistory();
  const times = (history.events ?? [])
    .filter((e) => e.activityTaskCancelRequestedEventAttributes && e.eventTime)
    .map((e) => Number(e.eventTime!.seconds ?? 0) * 1000 + Math.floor((e.eventTime!.nanos ?? 0) / 1e6));
  return times.length > 0 ? Math.min(...times) : undefined;
}

before(async () => {
  stack = await startPrivateStack('engine');
  dir = faultDir(stack, 'engine');
  client = await connectClient(stack.env);
  workers.push(await startControlWorker(stack.env, dir));
  workers.push(
    await startPoolWorker(stack.env, dir, { FOLDWISE_SLOTS: '2' }),
    await startPoolWorker(stack.env, dir, { FOLDWISE_SLOTS: '2' }),
  );
});

after(async () => {
  await Promise.all(workers.map((w) => w.stop(5000)));
  await client?.close();
  await stack?.close();
});

test(
  'a configuration that fails deterministically fails once, non-retryably, is recorded failed with its reason, and the others complete',
  { timeout: 240_000 },
  async () => {
    await scenario('7 deterministic failure', async () => {
      const handle = await client.submit({
        name: `faults-invalid-arch-${run}`,
        dataset: { builtin: 'iris' },
        cv: { kind: 'stratified', k: 3 },
        metrics: { primary: 'accuracy', report: [] },
        models: [
          {
            family: 'logistic',
            params: { epochs: 3 },
            space: { learningRate: { type: 'choice', values: [0.05, 0.1] } },
          },
          {
            family: 'cnn',
            params: { epochs: 3 },
            space: { learningRate: { type: 'choice', values: [0.01] } },
          },
        ],
        strategy: { kind: 'grid' },
        budget: { trials: 3, parallelism: 3 },
        refit: false,
        seed: 3,
      });
      const result = await handle.result();
      assert.equal(result.status, 'completed');
      const failed = result.leaderboard.filter((t) => t.status === 'failed');
      assert.deepEqual(
        failed.map((t) => t.model),
        ['cnn'],
        'only the cnn configuration failed',
      );
      assert.match(failed[0]?.error ?? '', /inputShape|shape/i, 'its reason names the shape problem');
      assert.equal(
        result.leaderboard.filter((t) => t.status === 'completed').length,
        2,
        'the other trials complete',
      );
      const trials = await client.store.trials.forSearch(handle.searchId);
      const doc = trials.find((t) => t.model === 'cnn');
      assert.equal(doc?.status, 'failed', 'the trial document is recorded failed');
      assert.match(doc?.error ?? '', /shape/i, 'with its reason');
      const cnnStarts = forSearch(handle.searchId).filter(
        (e) => e.point === 'fold-start' && e.foldId.startsWith(`${failed[0]?.trialId}:`),
      );
      assert.ok(cnnStarts.length >= 1, 'the failing configuration ran');
      assert.ok(
        cnnStarts.every((e) => e.attempt === 1),
        `every fold of it ran exactly once (attempts ${cnnStarts.map((e) => e.attempt).join(',')})`,
      );
      return `cnn on iris failed after ${cnnStarts.length} fold attempt(s), all attempt 1: "${(doc?.error ?? '').slice(0, 90)}"; 2/2 other trials completed`;
    });
  },
);

/** FOLDWISE_HEARTBEAT_MS of the fault suite's workers (`workerEnv` in test/support/faults.ts). */
const HEARTBEAT_MS = 1000;
/** Time for the one epoch a trainer may finish and report after the abort (a few ms of training here). */
const EPOCH_SLACK_S = 0.25;
const epochs = 150;

const cancelSpec: SearchSpecInput = {
  name: `faults-cancel-${run}`,
  dataset: { builtin: 'digits', subset: 600 },
  cv: { kind: 'stratified', k: 3 },
  metrics: { primary: 'accuracy', report: [] },
  models: [
    {
      family: 'mlp',
      params: { epochs, batchSize: 32, hiddenLayers: 1 },
      space: { units: { type: 'choice', values: [16, 32, 64, 128] } },
    },
  ],
  strategy: { kind: 'grid' },
  budget: { trials: 4, parallelism: 2 },
  refit: false,
  seed: 9,
};

test(
  'submitting the same search id twice starts one execution; cancelling stops running folds within one heartbeat and nothing is written after',
  { timeout: 240_000 },
  async () => {
    await scenario('8 duplicate submit and cancel', async () => {
      const searchId = `faults-dup-${run}`;
      const [a, b] = await Promise.all([
        client.submit(cancelSpec, { searchId }),
        client.submit(cancelSpec, { searchId }),
      ]);
      await client.submit(cancelSpec, { searchId });
      assert.equal(a.searchId, b.searchId);
      const executions = await waitFor(
        'the execution to be visible',
        async () => {
          const list = [];
          for await (const w of client.temporal.workflow.list({ query: `WorkflowId = '${searchId}'` }))
            list.push(w);
          return list.length > 0 ? list : undefined;
        },
        30_000,
        500,
      );
      assert.equal(executions.length, 1, 'one execution for three submissions');
      await waitFor(
        'two folds to be training',
        () =>
          new Set(
            forSearch(searchId)
              .filter((e) => e.point === 'fold-epoch' && (e.epoch ?? 0) >= 2)
              .map((e) => e.foldId),
          ).size >= 2,
        120_000,
        100,
      );
      const cancelledAt = Date.now();
      await a.cancel();
      await assert.rejects(a.result(), /cancel/i);
      const ackAt = Date.now();
      const atAck = (await a.foldDocs()).length;
      const beforeCancel = forSearch(searchId).filter((e) => e.t < cancelledAt);
      const running = new Set(beforeCancel.filter((e) => e.point === 'fold-epoch').map((e) => e.foldId));
      for (const e of beforeCancel) {
        if (e.point === 'fold-written' || (e.point === 'fold-epoch' && e.epoch === epochs))
          running.delete(e.foldId);
      }
      assert.ok(running.size >= 1, 'no fold was training at the cancel');
      await sleep(8000);
      const later = await a.foldDocs();
      assert.equal(later.length, atAck, 'no fold document appears after the cancellation is acknowledged');
      const events = forSearch(searchId);
      const lastEpochs = [...running].map((foldId) => {
        const seen = events.filter((e) => e.point === 'fold-epoch' && e.foldId === foldId);
        const last = seen.reduce((a, b) => (b.t > a.t ? b : a));
        return { foldId, t: last.t, epoch: last.epoch ?? 0 };
      });
      for (const f of lastEpochs) {
        assert.ok(
          f.epoch < epochs,
          `${f.foldId} trained to epoch ${f.epoch} of ${epochs}: stopped by the cancel`,
        );
      }
      // From the moment Temporal records the request to cancel a fold's activity, the fold learns of it at its next
      // heartbeat (every HEARTBEAT_MS here) and stops between batches; the trainer can report one epoch in flight.
      const heartbeatStops = await Promise.all(
        lastEpochs.map(async (f) => {
          const trialIndex = Number(f.foldId.split(':').at(-2));
          const requestedAt = await activityCancelRequestedAt(searchId, trialIndex);
          assert.ok(requestedAt, `no activity cancellation recorded in trial ${trialIndex}'s history`);
          return (f.t - requestedAt) / 1000;
        }),
      );
      const afterRequest = Math.max(...heartbeatStops);
      assert.ok(
        afterRequest <= HEARTBEAT_MS / 1000 + EPOCH_SLACK_S,
        `running folds stopped ${afterRequest.toFixed(2)} s after Temporal recorded their cancellation (heartbeat ${HEARTBEAT_MS / 1000} s + ${EPOCH_SLACK_S} s for an epoch in flight)`,
      );
      const stopS = (Math.max(...lastEpochs.map((f) => f.t)) - cancelledAt) / 1000;
      assert.ok(
        !events.some((e) => e.point === 'fold-written' && e.written && e.t > ackAt),
        'no fold written after the acknowledgement',
      );
      const doc = await client.store.searches.get(searchId);
      assert.equal(doc?.status, 'cancelled');
      return `3 submissions → ${executions.length} execution; ${running.size} running folds stopped ${Math.max(0, stopS).toFixed(1)} s after the cancel and ${Math.max(0, afterRequest).toFixed(1)} s after Temporal recorded it (heartbeat ${HEARTBEAT_MS / 1000} s), acknowledged after ${((ackAt - cancelledAt) / 1000).toFixed(1)} s; ${atAck} fold docs at ack, ${later.length} 8 s later`;
    });
  },
);

test(
  'a search larger than one history continues as new, stays within pending-activity and history limits, and completes',
  { timeout: 360_000 },
  async () => {
    await scenario('9 continue-as-new', async () => {
      const trials = 200;
      const k = 5;
      const spec = parseSearchSpec({
        name: `faults-large-${run}`,
        dataset: { builtin: 'iris' },
        cv: { kind: 'stratified', k },
        metrics: { primary: 'accuracy', report: [] },
        models: [
          {
            family: 'logistic',
            params: { epochs: 1, batchSize: 64 },
            space: { learningRate: { type: 'logUniform', low: 0.001, high: 1 } },
          },
        ],
        strategy: { kind: 'random' },
        budget: { trials, parallelism: 8 },
        comparison: { topK: 3 },
        refit: false,
        seed: 13,
      });
      const searchId = `faults-large-${run}`;
      const threshold = 300;
      const handle = await client.temporal.workflow.start('searchWorkflow', {
        taskQueue: TaskQueue.Control,
        workflowId: searchId,
        args: [
          {
            searchId,
            spec,
            dataset: { builtin: 'iris' },
            searchAttributes: true,
            continueAfterEvents: threshold,
          },
        ],
      });
      let maxPendingChildren = 0;
      let done = false;
      const resultP = handle.result().finally(() => (done = true)) as Promise<SearchResult>;
      while (!done) {
        const d = await client.temporal.workflow
          .getHandle(searchId)
          .describe()
          .catch(() => undefined);
        const pending = (d?.raw.pendingChildren ?? []).length;
        maxPendingChildren = Math.max(maxPendingChildren, pending);
        await Promise.race([resultP.catch(() => undefined), sleep(1000)]);
      }
      const result = await resultP;
      assert.equal(result.status, 'completed');
      assert.equal(result.counts.trials, trials);
      assert.equal(result.counts.completed, trials);
      const folds = await client.store.folds.forSearch(searchId);
      assert.equal(
        new Set(folds.map((f) => `${f.trialIndex}:${f.fold}`)).size,
        trials * k,
        'one fold document per (trial, fold)',
      );
      assert.equal(folds.length, trials * k);
      const runs = [];
      for await (const w of client.temporal.workflow.list({ query: `WorkflowId = '${searchId}'` }))
        runs.push(w);
      const finalRun = (await client.temporal.workflow.getHandle(searchId).describe()).runId;
      assert.notEqual(
        finalRun,
        handle.firstExecutionRunId,
        'the run id changed: the search continued as new',
      );
      assert.ok(runs.length >= 2, `${runs.length} runs`);
      const maxHistory = Math.max(...runs.map((r) => r.historyLength));
      assert.ok(
        maxHistory < 10_240,
        `every run's history stays below Temporal's warning (max ${maxHistory} events)`,
      );
      assert.ok(
        maxPendingChildren <= 8,
        `at most the parallelism of trials in flight (${maxPendingChildren})`,
      );
      return `${trials}×${k} = ${folds.length} fold docs over ${runs.length} runs (continueAfterEvents ${threshold}); longest run history ${maxHistory} events; ≤ ${maxPendingChildren} trials (≤ ${maxPendingChildren * k} fold activities) pending at once`;
    });
  },
);
