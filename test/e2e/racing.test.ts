import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FoldwiseClient } from '@foldwise/sdk';
import { trialWorkflowId, type FoldwiseEvent, type SearchResult } from '@foldwise/spec';
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
  worker = await startWorkerProcess({ FOLDWISE_SLOTS: '3' });
  await worker.ready;
});

after(async () => {
  await worker?.stop();
  await client?.close();
});

const K = 10;
const MIN_FOLDS = 3;
let raced: { searchId: string; result: SearchResult; folds: number; events: FoldwiseEvent[] } | undefined;
/**
 * Grid order is trial order: an MLP that learns, then two whose L2 penalty pins the weights near zero, so they
 * predict one class on every fold (accuracy ≈ 0.1 against ≈ 0.95: pruned after 3 folds). Folds last long enough
 * (tens of epochs on 1,600 images) that the prune reaches the trial before its three lanes have run every fold.
 */
const PENALTIES = [0, 10, 30];

test(
  'fold racing on digits: configurations worse than the incumbent are pruned and their skipped folds never run',
  { timeout: 300_000 },
  async () => {
    const handle = await client.submit({
      name: `e2e-racing-${run}`,
      dataset: { builtin: 'digits' },
      cv: { kind: 'stratified', k: K },
      metrics: { primary: 'accuracy' },
      models: [
        {
          family: 'mlp',
          params: { epochs: 30, batchSize: 32, units: 128, hiddenLayers: 1, learningRate: 0.01 },
          space: { l2: { type: 'choice', values: PENALTIES } },
        },
      ],
      strategy: { kind: 'grid' },
      racing: { enabled: true, test: 'corrected-t', minFolds: MIN_FOLDS },
      // One trial at a time: the learning configuration is the complete incumbent before the others start.
      budget: { trials: PENALTIES.length, parallelism: 1 },
      refit: false,
      seed: 3,
    });
    const { searchId } = handle;
    const result = await handle.result();
    assert.equal(result.status, 'completed', `worker:\n${worker.output().slice(-3000)}`);

    const trials = await client.store.trials.forSearch(searchId);
    const folds = await handle.foldDocs();
    const events: FoldwiseEvent[] = [];
    for await (const e of handle.progress({ from: 'start' })) events.push(e);
    const foldEvents = events.filter((e) => e.kind === 'fold');
    const durations = folds.map((f) => f.durationMs).join(', ');

    const [incumbent, ...rest] = trials;
    assert.equal(incumbent?.status, 'completed', 'the learning configuration completes every fold');
    assert.equal(folds.filter((f) => f.trialIndex === 0).length, K);
    const pruned = rest.filter((t) => t.status === 'pruned');
    assert.equal(
      pruned.length,
      rest.length,
      `every penalised configuration is pruned (statuses ${trials.map((t) => t.status).join(', ')}; fold ms ${durations})`,
    );

    let neverScheduled = 0;
    for (const t of pruned) {
      const evidence = t.prunedBy?.evidence as { incumbentTrial?: number; nFolds?: number; pValue?: number };
      assert.equal(t.prunedBy?.kind, 'racing');
      assert.equal(evidence.incumbentTrial, 0);
      assert.ok((evidence.nFolds ?? 0) >= MIN_FOLDS && (evidence.pValue ?? 1) < 0.05);
      const skipped = t.foldsSkipped ?? [];
      const ran = folds.filter((f) => f.trialIndex === t.trialIndex).map((f) => f.fold);
      assert.ok(ran.length >= MIN_FOLDS && ran.length < K, `trial ${t.trialIndex} ran ${ran.length} folds`);
      assert.deepEqual(
        [...ran, ...skipped].sort((a, b) => a - b),
        Array.from({ length: K }, (_, f) => f),
        `trial ${t.trialIndex}: every fold either ran (a document) or was skipped, never both`,
      );
      assert.equal(t.foldsCompleted, ran.length);
      assert.deepEqual(
        foldEvents
          .filter((e) => e.trialIndex === t.trialIndex)
          .map((e) => e.fold)
          .sort((a, b) => a - b),
        [...ran].sort((a, b) => a - b),
        `trial ${t.trialIndex}: fold events only for the folds that ran`,
      );

      const h = await trialHistory(client.temporal, trialWorkflowId(searchId, t.trialIndex));
      const prune = h.signals.find((s) => s.name === 'prune');
      assert.ok(prune, `trial ${t.trialIndex} received the prune signal`);
      assert.ok(
        h.trainFolds.every((c) => c.scheduledEventId < prune.eventId),
        `trial ${t.trialIndex}: no trainFold scheduled after the prune signal`,
      );
      for (const c of h.trainFolds.filter((x) => skipped.includes(x.input.fold))) {
        assert.ok(
          c.cancelRequested && c.outcome !== 'completed',
          `trial ${t.trialIndex} fold ${c.input.fold}: in flight at the prune, cancelled (${c.outcome})`,
        );
      }
      const scheduled = new Set(h.trainFolds.map((c) => c.input.fold));
      const never = skipped.filter((f) => !scheduled.has(f));
      neverScheduled += never.length;
      assert.equal(scheduled.size + never.length, K);
    }
    assert.ok(
      neverScheduled > 0,
      `racing stopped at least one fold before it was scheduled (fold ms ${durations})`,
    );

    const doc = await client.store.searches.get(searchId);
    const { folds: _folds, foldsCompleted: _foldsCompleted, ...docCounts } = doc?.counts ?? {};
    assert.deepEqual(docCounts, {
      trials: PENALTIES.length,
      trialsCompleted: 1,
      trialsPruned: pruned.length,
      trialsFailed: 0,
    });
    const { foldsRun: _foldsRun, ...counts } = result.counts;
    assert.deepEqual(counts, {
      trials: PENALTIES.length,
      completed: 1,
      pruned: pruned.length,
      failed: 0,
      foldsSkipped: trials.reduce((s, t) => s + (t.foldsSkipped?.length ?? 0), 0),
    });
    assert.equal(foldEvents.length, folds.length, 'one fold event per fold document');
    raced = { searchId, result, folds: folds.length, events };
  },
);

test("the racing search's result counts every fold that ran, the folds in flight at a prune included", async () => {
  assert.ok(raced, 'the racing search ran');
  assert.equal(raced.result.counts.foldsRun, raced.folds, 'result.counts.foldsRun equals the fold documents');
  const doc = await client.store.searches.get(raced.searchId);
  assert.equal(doc?.counts.foldsCompleted, raced.folds, 'the search document counts the fold documents');
  assert.equal(doc?.counts.folds, PENALTIES.length * K, 'every planned fold ran or was skipped');
  const done = raced.events.find((e) => e.kind === 'completed');
  assert.equal(
    done?.kind === 'completed' ? done.payload.counts.foldsCompleted : undefined,
    raced.folds,
    'the completed event counts the fold documents',
  );
});
