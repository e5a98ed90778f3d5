import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FoldwiseClient } from '@foldwise/sdk';
import { createScheduler } from '@foldwise/selection';
import {
  schedulerSpecSchema,
  trialIdOf,
  trialWorkflowId,
  type FoldwiseEvent,
  type SchedulerSpecInput,
} from '@foldwise/spec';
import { waitFor } from '../support/faults';
import { trialHistory } from '../support/history';
import { stackEnv } from '../support/stack';
import { startWorkerProcess, type WorkerProcess } from '../support/workers';

const run = randomBytes(3).toString('hex');
let client: FoldwiseClient;
let worker: WorkerProcess;

before(async () => {
  const env = stackEnv();
  client = await FoldwiseClient.connect({
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    mongodbUri: env.MONGODB_URI,
    mongodbDb: env.MONGODB_DB,
    natsUrl: env.NATS_URL,
  });
  // The worker's own checkpoint throttle (FOLDWISE_CHECKPOINT_SECONDS, 10 s by default) is left as shipped: folds of
  // a few milliseconds per epoch store no periodic checkpoint, so every resume below rests on the rung's pause checkpoint.
  worker = await startWorkerProcess({ FOLDWISE_SLOTS: '2' });
  await worker.ready;
});

after(async () => {
  await worker?.stop();
  await client?.close();
});

const K = 3;
const MAX_EPOCHS = 9;
/** Grid order is trial order: two learning rates that learn iris in one epoch, then two that barely move. */
const RATES = [0.5, 0.3, 0.00001, 0.00002];

/**
 * Runs a 4-trial iris search under `scheduler` and checks, trial by trial against the rungs the scheduler gives it:
 * a trial that completed trained each fold rung by rung, every phase resuming from the checkpoint the previous one
 * paused at (Temporal history, `resumedFromEpoch`, epochs per fold and per trial); a trial the scheduler stopped at a
 * rung trained no further, wrote no fold document, published no `fold` event, and had each partial fold announced
 * as pruned (finalizePartialFolds) and its checkpoints dropped.
 */
async function checkScheduledSearch(name: string, scheduler: SchedulerSpecInput): Promise<void> {
  const handle = await client.submit({
    name: `e2e-${name}-${run}`,
    dataset: { builtin: 'iris' },
    cv: { kind: 'stratified', k: K },
    metrics: { primary: 'accuracy' },
    models: [
      {
        family: 'logistic',
        params: { epochs: MAX_EPOCHS, batchSize: 16 },
        space: { learningRate: { type: 'choice', values: RATES } },
      },
    ],
    strategy: { kind: 'grid' },
    scheduler,
    budget: { trials: RATES.length, parallelism: 2 },
    refit: false,
    seed: 5,
  });
  const { searchId } = handle;
  const result = await handle.result();
  assert.equal(result.status, 'completed', `worker:\n${worker.output().slice(-3000)}`);
  assert.equal(result.counts.trials, RATES.length);
  const rungsOf = (t: number) => createScheduler(schedulerSpecSchema.parse(scheduler)).rungs(t);

  const trials = await client.store.trials.forSearch(searchId);
  const folds = await handle.foldDocs();
  const events: FoldwiseEvent[] = [];
  for await (const e of handle.progress({ from: 'start' })) events.push(e);

  const completed = trials.filter((t) => t.status === 'completed');
  const stopped = trials.filter((t) => t.status === 'pruned');
  const statuses = trials.map((t) => t.status).join(', ');
  assert.equal(
    completed.length + stopped.length,
    RATES.length,
    `every trial completed or was stopped (${statuses})`,
  );
  assert.ok(
    completed.some((t) => rungsOf(t.trialIndex).length > 1),
    `a trial promoted past a rung completes (${statuses})`,
  );
  assert.ok(
    stopped.some((t) => t.trialIndex >= 2),
    `a barely-learning rate is stopped at a rung (${statuses})`,
  );
  assert.equal(result.counts.completed, completed.length);
  assert.equal(result.counts.pruned, stopped.length);

  for (const t of completed) {
    const rungs = rungsOf(t.trialIndex);
    const own = folds.filter((f) => f.trialIndex === t.trialIndex);
    assert.equal(own.length, K, `trial ${t.trialIndex}: one fold document per fold`);
    for (const f of own) {
      assert.equal(f.epochsTrained, MAX_EPOCHS, `fold ${f._id} trained to maxResource`);
      assert.equal(
        f.resumedFromEpoch,
        rungs.at(-2),
        `fold ${f._id} resumed at the last rung before maxResource (rungs ${rungs}), not at epoch 0`,
      );
      assert.equal(
        f.curve.length,
        MAX_EPOCHS,
        `fold ${f._id} keeps the curve of the epochs before the pause`,
      );
    }
    assert.equal(
      t.epochsTrained,
      K * MAX_EPOCHS,
      `trial ${t.trialIndex}: epochs trained summed over its folds`,
    );
    assert.equal(t.foldsCompleted, K);

    // Rung by rung, from the trial's Temporal history: each phase starts from the checkpoint the last one paused at.
    const h = await trialHistory(client.temporal, trialWorkflowId(searchId, t.trialIndex));
    for (let fold = 0; fold < K; fold++) {
      const calls = h.trainFolds.filter((c) => c.input.fold === fold);
      assert.deepEqual(
        calls.map((c) => [c.input.untilEpoch, c.input.resumeFrom?.epoch, c.result?.epochsTrained]),
        rungs.map((r, i) => [i === rungs.length - 1 ? undefined : r, rungs[i - 1], r]),
        `trial ${t.trialIndex} fold ${fold}: [untilEpoch, resumed from, epochs trained] per rung of ${rungs}`,
      );
      calls.forEach((c, i) => {
        const last = i === calls.length - 1;
        assert.equal(c.result?.status, last ? 'completed' : 'partial');
        if (!last)
          assert.ok(
            c.result?.pausedAt?.checkpoint,
            'a pause stores its checkpoint despite the 10 s throttle',
          );
        if (i > 0) assert.equal(c.input.resumeFrom?.checkpoint, calls[i - 1]?.result?.pausedAt?.checkpoint);
      });
    }
  }

  for (const t of stopped) {
    const rungs = rungsOf(t.trialIndex);
    const at = (t.prunedBy?.evidence as { epoch?: number } | undefined)?.epoch;
    assert.equal(t.prunedBy?.kind, 'scheduler');
    assert.ok(
      at !== undefined && rungs.slice(0, -1).includes(at),
      `trial ${t.trialIndex} stopped at a rung (${at})`,
    );
    assert.deepEqual(t.foldsSkipped, [0, 1, 2], `trial ${t.trialIndex}: no fold finished`);
    assert.equal(t.foldsCompleted, 0);
    assert.equal(t.epochsTrained, 0);
    assert.equal(
      folds.filter((f) => f.trialIndex === t.trialIndex).length,
      0,
      `trial ${t.trialIndex}: a fold stopped at a rung writes no fold document`,
    );
    const h = await trialHistory(client.temporal, trialWorkflowId(searchId, t.trialIndex));
    for (let fold = 0; fold < K; fold++)
      assert.deepEqual(
        h.trainFolds
          .filter((c) => c.input.fold === fold)
          .map((c) => [c.input.untilEpoch, c.result?.status, c.result?.epochsTrained]),
        rungs.filter((r) => r <= (at ?? 0)).map((r) => [r, 'partial', r]),
        `trial ${t.trialIndex} fold ${fold}: partial up to the rung it stopped at, nothing past it`,
      );
    // finalizePartialFolds: one fold-level `pruned` event per stopped fold, and no `fold` event.
    const own = events.filter((e) => 'trialIndex' in e && e.trialIndex === t.trialIndex);
    assert.deepEqual(
      own
        .filter((e) => e.kind === 'pruned' && e.fold !== undefined)
        .map((e) => (e as { fold: number }).fold)
        .sort(),
      [0, 1, 2],
      `trial ${t.trialIndex}: each partial fold is announced as pruned`,
    );
    assert.ok(
      own.some((e) => e.kind === 'pruned' && e.fold === undefined && e.payload.kind === 'scheduler'),
      `trial ${t.trialIndex}: the trial itself is announced as pruned by the scheduler`,
    );
    assert.equal(own.filter((e) => e.kind === 'fold').length, 0, `trial ${t.trialIndex}: no fold event`);
  }

  // The pause checkpoints of stopped folds are dropped, as are those of finished folds.
  await waitFor(
    'the checkpoints of stopped and finished folds to be removed',
    async () => (await client.store.artifacts.list(`checkpoints/${searchId}:`)).length === 0,
    15_000,
  );
  assert.ok(trials.every((t) => t._id === trialIdOf(searchId, t.trialIndex)));
}

test(
  'ASHA on iris: promoted folds resume from the rung checkpoint, stopped trials leave no fold and are announced as pruned',
  { timeout: 300_000 },
  () =>
    checkScheduledSearch('asha', {
      kind: 'asha',
      minResource: 1,
      maxResource: MAX_EPOCHS,
      reductionFactor: 3,
    }),
);

test(
  'Hyperband on iris: each bracket pauses at its own rungs and resumes from them; stopped trials leave no fold',
  { timeout: 300_000 },
  () =>
    checkScheduledSearch('hyperband', {
      kind: 'hyperband',
      minResource: 1,
      maxResource: MAX_EPOCHS,
      reductionFactor: 3,
    }),
);

test(
  'median stopping on iris: folds pause every 3 epochs and resume; trials below the median stop and leave no fold',
  { timeout: 300_000 },
  () =>
    checkScheduledSearch('median', {
      kind: 'median',
      maxResource: MAX_EPOCHS,
      warmupEpochs: 0,
      interval: 3,
      minTrials: 1,
    }),
);
