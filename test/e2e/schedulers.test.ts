import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FoldwiseClient } from '@foldwise/sdk';
import { trialDocId, trialWorkflowId, type FoldwiseEvent } from '@foldwise/spec';
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
const RUNGS = [1, 3, 9];
/** Grid order is trial order: two learning rates that learn iris in one epoch, then two that barely move. */
const RATES = [0.5, 0.3, 0.00001, 0.00002];

test(
  'ASHA on iris: promoted folds resume from the rung checkpoint, stopped trials leave no fold and are announced as pruned',
  { timeout: 300_000 },
  async () => {
    const handle = await client.submit({
      name: `e2e-asha-${run}`,
      dataset: { builtin: 'iris' },
      cv: { kind: 'stratified', k: K },
      metrics: { primary: 'accuracy' },
      models: [
        {
          family: 'logistic',
          params: { epochs: 9, batchSize: 16 },
          space: { learningRate: { type: 'choice', values: RATES } },
        },
      ],
      strategy: { kind: 'grid' },
      scheduler: { kind: 'asha', minResource: 1, maxResource: 9, reductionFactor: 3 },
      budget: { trials: RATES.length, parallelism: 2 },
      refit: false,
      seed: 5,
    });
    const { searchId } = handle;
    const result = await handle.result();
    const why = `worker:\n${worker.output().slice(-3000)}`;
    assert.equal(result.status, 'completed', why);
    assert.equal(result.counts.trials, RATES.length);

    const trials = await client.store.trials.forSearch(searchId);
    const folds = await handle.folds();
    const events: FoldwiseEvent[] = [];
    for await (const e of handle.progress({ from: 'start' })) events.push(e);

    const completed = trials.filter((t) => t.status === 'completed');
    const stopped = trials.filter((t) => t.status === 'pruned');
    assert.equal(completed.length + stopped.length, RATES.length, 'every trial completed or was stopped');
    assert.ok(completed.length >= 1, 'the first trial at each rung is always promoted');
    assert.ok(
      stopped.some((t) => t.trialIndex >= 2),
      `the barely-learning rates are stopped at a rung (statuses ${trials.map((t) => t.status).join(', ')})`,
    );
    assert.equal(result.counts.completed, completed.length);
    assert.equal(result.counts.pruned, stopped.length);

    for (const t of completed) {
      const own = folds.filter((f) => f.trialIndex === t.trialIndex);
      assert.equal(own.length, K, `trial ${t.trialIndex}: one fold document per fold`);
      for (const f of own) {
        assert.equal(f.epochsTrained, 9, `fold ${f._id} trained to maxResource`);
        assert.equal(f.resumedFromEpoch, 3, `fold ${f._id} resumed at the last rung, not at epoch 0`);
        assert.equal(f.curve.length, 9, `fold ${f._id} keeps the curve of the epochs before the pause`);
      }
      assert.equal(t.epochsTrained, K * 9, `trial ${t.trialIndex}: epochs trained summed over its folds`);
      assert.equal(t.foldsCompleted, K);

      // Rung by rung, from the trial's Temporal history: each phase starts from the checkpoint the last one paused at.
      const h = await trialHistory(client.temporal, trialWorkflowId(searchId, t.trialIndex));
      for (let fold = 0; fold < K; fold++) {
        const calls = h.trainFolds.filter((c) => c.input.fold === fold);
        assert.deepEqual(
          calls.map((c) => [c.input.untilEpoch, c.input.resumeFrom?.epoch, c.result?.epochsTrained]),
          [
            [1, undefined, 1],
            [3, 1, 3],
            [undefined, 3, 9],
          ],
          `trial ${t.trialIndex} fold ${fold}: [untilEpoch, resumed from, epochs trained] per rung`,
        );
        const [r1, r3, last] = calls;
        assert.equal(r1?.result?.status, 'partial');
        assert.equal(r3?.result?.status, 'partial');
        assert.equal(last?.result?.status, 'completed');
        assert.equal(r3?.input.resumeFrom?.checkpoint, r1?.result?.pausedAt?.checkpoint);
        assert.equal(last?.input.resumeFrom?.checkpoint, r3?.result?.pausedAt?.checkpoint);
        assert.ok(
          r1?.result?.pausedAt?.checkpoint,
          'the rung-1 pause stored a checkpoint despite the 10 s throttle',
        );
      }
    }

    for (const t of stopped) {
      const at = (t.prunedBy?.evidence as { epoch?: number } | undefined)?.epoch;
      assert.equal(t.prunedBy?.kind, 'scheduler');
      assert.ok(
        at !== undefined && RUNGS.slice(0, -1).includes(at),
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
      assert.ok(
        h.trainFolds.every(
          (c) => c.result?.status === 'partial' && c.result.epochsTrained === c.input.untilEpoch,
        ),
        `trial ${t.trialIndex}: only partial folds up to the rung it stopped at`,
      );
      assert.ok(
        h.trainFolds.every((c) => c.input.untilEpoch !== undefined && c.input.untilEpoch <= (at ?? 0)),
        `trial ${t.trialIndex}: nothing was trained past epoch ${at}`,
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
    assert.ok(trials.every((t) => t._id === trialDocId(searchId, t.trialIndex)));
  },
);
