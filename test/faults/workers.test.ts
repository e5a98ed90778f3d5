import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FoldwiseClient } from '@foldwise/sdk';
import {
  trialWorkflowId,
  type FoldDoc,
  type FoldwiseEvent,
  type ModelSpecInput,
  type SearchSpecInput,
} from '@foldwise/spec';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { resolve } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's own cached workflow bundle
import { workflowBundle } from '../../services/worker/src/bundle';
import {
  armMarker,
  connectClient,
  faultDir,
  faultEvents,
  markerTaken,
  scenario,
  startControlWorker,
  startPoolWorker,
  startPrivateStack,
  waitFor,
  type PrivateStack,
} from '../support/faults';
import { scrapeMetrics, sumMetric, type WorkerProcess } from '../support/workers';

const run = randomBytes(3).toString('hex');
let stack: PrivateStack;
let client: FoldwiseClient;
const workers: WorkerProcess[] = [];
let control: WorkerProcess;

const stopAll = async (list: WorkerProcess[]) => {
  for (const w of list) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGCONT');
  await Promise.all(list.map((w) => w.stop(5000)));
};

/** A small digits search whose folds last long enough (several epochs) to be interrupted. */
const spec = (name: string, trials = 3): SearchSpecInput => ({
  name: `${name}-${run}`,
  dataset: { builtin: 'digits', subset: 600 },
  cv: { kind: 'stratified', k: 3 },
  metrics: { primary: 'accuracy', report: [] },
  models: [
    {
      family: 'mlp',
      params: { epochs: 12, batchSize: 32, hiddenLayers: 1 },
      space: { units: { type: 'choice', values: [16, 32, 64] } },
    },
  ],
  strategy: { kind: 'grid' },
  budget: { trials, parallelism: trials },
  refit: false,
  seed: 7,
});

const oneDocPerFold = (folds: FoldDoc[], trials: number, k: number) => {
  assert.equal(folds.length, trials * k, `${trials} trials × ${k} folds`);
  assert.equal(
    new Set(folds.map((f) => `${f.trialIndex}:${f.fold}`)).size,
    trials * k,
    'one document per (trial, fold)',
  );
};

before(async () => {
  stack = await startPrivateStack('workers');
  client = await connectClient(stack.env);
  control = await startControlWorker(stack.env, faultDir(stack, 'control'));
  workers.push(control);
});

after(async () => {
  await stopAll(workers);
  await client?.close();
  await stack?.close();
});

const histories: Record<string, unknown> = {};

test(
  'a worker killed with SIGKILL mid-fold: the search completes, one document per fold, the killed fold on attempt 2 or later',
  { timeout: 300_000 },
  async () => {
    await scenario('1 kill -9 mid-fold', async () => {
      const dir = faultDir(stack, 'kill');
      return withPool(dir, async (pool) => {
        const handle = await client.submit({
          ...spec('faults-kill'),
          models: [
            {
              ...spec('x').models[0],
              params: { epochs: 120, batchSize: 32, hiddenLayers: 1 },
            } as ModelSpecInput,
          ],
        });
        const pids = new Set(pool.map((w) => w.proc.pid));
        const written = (foldId: string) =>
          faultEvents(dir).some((e) => e.point === 'fold-written' && e.foldId === foldId);
        let victim: ReturnType<typeof faultEvents>[number] | undefined;
        while (!victim) {
          const candidate = await waitFor(
            'a pool worker to checkpoint a fold that is still training',
            () =>
              faultEvents(dir).find(
                (e) =>
                  e.point === 'fold-checkpoint' &&
                  (e.epoch ?? 0) >= 2 &&
                  (e.epoch ?? 0) <= 40 &&
                  pids.has(e.pid) &&
                  !written(e.foldId),
              ),
            120_000,
            50,
          );
          await new Promise((r) => setTimeout(r, 1200));
          if (!written(candidate.foldId)) victim = candidate;
        }
        process.kill(victim.pid, 'SIGKILL');
        const killedAt = Date.now();
        const result = await handle.result();
        assert.equal(result.status, 'completed');
        assert.equal(
          result.counts.completed,
          3,
          `every trial completes (${JSON.stringify(result.leaderboard.map((t) => t.error ?? t.status))})`,
        );
        const folds = await handle.foldDocs();
        oneDocPerFold(folds, 3, 3);
        const killed = folds.find((f) => f._id === victim.foldId);
        assert.ok(killed, `the killed fold ${victim.foldId} has its document`);
        assert.ok(killed.attempt >= 2, `the killed fold shows attempt ${killed.attempt}`);
        const retry = faultEvents(dir).find(
          (e) => e.point === 'fold-start' && e.foldId === victim.foldId && e.attempt >= 2,
        );
        assert.ok(retry, 'the killed fold was retried');
        const resumed = faultEvents(dir).find(
          (e) => e.point === 'fold-resume' && e.foldId === victim.foldId && e.attempt >= 2,
        );
        assert.ok(resumed, 'the retry resumed from a checkpoint named in the heartbeat details');
        assert.ok((resumed.epoch ?? 0) >= 2, `resumed from epoch ${resumed.epoch}`);
        assert.equal(
          killed.resumedFromEpoch,
          resumed.epoch,
          'the fold document records the epoch it resumed from',
        );
        histories['kill search'] = await client.temporal.workflow.getHandle(handle.searchId).fetchHistory();
        const trialIndex = Number(victim.foldId.split(':').at(-2));
        histories['kill trial'] = await client.temporal.workflow
          .getHandle(trialWorkflowId(handle.searchId, trialIndex))
          .fetchHistory();
        return `${folds.length}/9 fold docs, killed fold attempt ${killed.attempt} resumed from its epoch-${resumed.epoch} checkpoint, retry started ${((retry.t - killedAt) / 1000).toFixed(1)} s after the kill (heartbeat timeout 30 s)`;
      });
    });
  },
);

test(
  'a worker that dies after writing its fold result: the retry finds the document, writes no duplicate, counts it once',
  { timeout: 300_000 },
  async () => {
    await scenario('2 die after write, before completing', async () => {
      const dir = faultDir(stack, 'die-after-write');
      armMarker(dir, 'die-after-write');
      return withPool(dir, async (pool) => {
        const handle = await client.submit({
          ...spec('faults-write'),
          models: [
            {
              ...spec('x').models[0],
              params: { epochs: 4, batchSize: 32, hiddenLayers: 1 },
            } as ModelSpecInput,
          ],
        });
        const result = await handle.result();
        assert.ok(markerTaken(dir, 'die-after-write'), 'a worker hit the marker and died');
        const events = faultEvents(dir);
        const dead = pool.find((w) => w.proc.signalCode === 'SIGKILL');
        assert.ok(dead, 'one pool worker was killed by its own marker');
        const victim = events.filter((e) => e.point === 'fold-written' && e.pid === dead.proc.pid).at(-1);
        assert.ok(victim?.written, 'the dying worker had written its fold document');
        assert.equal(result.status, 'completed');
        assert.equal(result.counts.completed, 3, 'every trial completes');
        assert.equal(result.counts.foldsRun, 9, 'the search counts each fold once');
        const folds = await handle.foldDocs();
        oneDocPerFold(folds, 3, 3);
        const doc = folds.find((f) => f._id === victim.foldId);
        assert.equal(doc?.attempt, victim.attempt, 'the stored document is the one the dead attempt wrote');
        const retry = events.find(
          (e) => e.point === 'fold-start' && e.foldId === victim.foldId && e.attempt > victim.attempt,
        );
        assert.ok(
          retry,
          `the fold was retried (events of ${victim.foldId}: ${JSON.stringify(events.filter((e) => e.foldId === victim.foldId))})`,
        );
        assert.ok(
          !events.some(
            (e) => e.point === 'fold-written' && e.foldId === victim.foldId && e.attempt > victim.attempt,
          ),
          'the retry wrote nothing',
        );
        const board = await handle.leaderboard();
        assert.ok(
          board.every((t) => t.folds === 3),
          `trial aggregates count 3 folds each (${board.map((t) => t.folds).join(',')})`,
        );
        const fromStream: FoldwiseEvent[] = [];
        for await (const e of handle.progress({ from: 'start' })) fromStream.push(e);
        const foldEvents = fromStream.filter((e) => e.kind === 'fold');
        assert.equal(foldEvents.length, 9, 'one fold event per fold on JetStream');
        const survivor = pool.find((w) => w !== dead);
        const survivorWrites = events.filter(
          (e) => e.point === 'fold-written' && e.written && e.pid === survivor?.proc.pid,
        ).length;
        const survivorCounted = sumMetric(
          await scrapeMetrics(survivor?.metricsPort ?? 0),
          'foldwise_folds_total',
          { outcome: 'completed' },
        );
        assert.equal(
          survivorCounted,
          survivorWrites,
          'the surviving worker counted the folds it wrote, not the reused one',
        );
        return `${folds.length}/9 fold docs, fold ${victim.foldId.split(':').slice(-2).join('/')} written by attempt ${victim.attempt} and reused by attempt ${retry.attempt}; foldsRun ${result.counts.foldsRun}, trial fold counts ${board.map((t) => t.folds).join('/')}, ${foldEvents.length} fold events; survivor's folds_total{completed} ${survivorCounted} = its ${survivorWrites} writes`;
      });
    });
  },
);

test(
  'a hung worker (SIGSTOP) loses its fold to a new attempt with identical input, and its late write cannot overwrite the newer one',
  { timeout: 300_000 },
  async () => {
    await scenario('3 hung worker (SIGSTOP)', async () => {
      const dir = faultDir(stack, 'sigstop');
      return withPool(dir, async (pool) => {
        const handle = await client.submit(spec('faults-hang'));
        const pids = new Set(pool.map((w) => w.proc.pid));
        const victim = await waitFor(
          'a pool worker to reach epoch 2 of a fold',
          () =>
            faultEvents(dir).find((e) => e.point === 'fold-epoch' && (e.epoch ?? 0) >= 2 && pids.has(e.pid)),
          120_000,
          100,
        );
        process.kill(victim.pid, 'SIGSTOP');
        const stoppedAt = Date.now();
        const retry = await waitFor(
          'a new attempt of the hung fold',
          () =>
            faultEvents(dir).find(
              (e) => e.point === 'fold-start' && e.foldId === victim.foldId && e.attempt > victim.attempt,
            ),
          120_000,
        );
        const recovery = (retry.t - stoppedAt) / 1000;
        assert.ok(
          recovery <= 30 + 30,
          `new attempt after ${recovery.toFixed(1)} s (heartbeat timeout 30 s + 30 s margin)`,
        );
        const first = faultEvents(dir).find(
          (e) => e.point === 'fold-start' && e.foldId === victim.foldId && e.attempt === victim.attempt,
        );
        assert.equal(retry.inputHash, first?.inputHash, 'the new attempt got identical input');
        const result = await handle.result();
        assert.equal(result.status, 'completed');
        const folds = await handle.foldDocs();
        oneDocPerFold(folds, 3, 3);
        const newer = folds.find((f) => f._id === victim.foldId);
        assert.ok(newer && newer.attempt > victim.attempt, 'the newer attempt wrote the fold');
        process.kill(victim.pid, 'SIGCONT');
        await waitFor(
          'the resumed stale attempt to stop or write',
          () => {
            const late = faultEvents(dir).filter((e) => e.pid === victim.pid && e.t > stoppedAt);
            return (
              late.some((e) => e.point === 'fold-written') ||
              /cancel|not found|NotFound/i.test(
                pool.find((w) => w.proc.pid === victim.pid)?.output() ?? '',
              ) ||
              undefined
            );
          },
          60_000,
        ).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 3000));
        const stale = await client.store.folds.record({
          ...newer,
          attempt: victim.attempt,
          worker: 'stale-attempt',
          metrics: { accuracy: 0 },
        });
        assert.equal(stale.written, false, 'a stale attempt’s write is refused');
        const after = await client.store.folds.get(victim.foldId);
        assert.deepEqual(
          {
            attempt: after?.attempt,
            worker: after?.worker,
            updatedAt: after?.updatedAt,
            metrics: after?.metrics,
          },
          {
            attempt: newer.attempt,
            worker: newer.worker,
            updatedAt: newer.updatedAt,
            metrics: newer.metrics,
          },
          'the newer fold document is unchanged',
        );
        const lateWrites = faultEvents(dir).filter(
          (e) => e.pid === victim.pid && e.foldId === victim.foldId && e.point === 'fold-written',
        );
        return `new attempt ${retry.attempt} started ${recovery.toFixed(1)} s after SIGSTOP, same input hash ${retry.inputHash}; stale attempt's late write${lateWrites.length ? ` refused (written=${String(lateWrites[0]?.written)})` : ' not observed within 60 s of SIGCONT'}; direct stale write refused, doc keeps attempt ${after?.attempt}`;
      });
    });
  },
);

/** Starts two pool workers on `dir`, runs `body`, and always stops them (so none polls into the next scenario). */
async function withPool<T>(dir: string, body: (pool: WorkerProcess[]) => Promise<T>): Promise<T> {
  const pool: WorkerProcess[] = [];
  for (let i = 0; i < 2; i++) {
    const w = await startPoolWorker(stack.env, dir);
    pool.push(w);
    workers.push(w);
  }
  try {
    return await body(pool);
  } finally {
    await stopAll(pool);
  }
}

const boardOf = (r: {
  leaderboard: {
    trialIndex: number;
    params: Record<string, unknown>;
    metrics: Record<string, { mean: number }>;
  }[];
}) =>
  r.leaderboard.map((t) => ({
    trialIndex: t.trialIndex,
    params: t.params,
    accuracy: t.metrics['accuracy']?.mean,
  }));

test(
  'the workflow worker restarts mid-search with its cache disabled: the leaderboard equals an uninterrupted run with the same seed',
  { timeout: 300_000 },
  async () => {
    await scenario('4 workflow worker restart, cache off (forced replay)', async () => {
      const dir = faultDir(stack, 'restart');
      return withPool(dir, async () => {
        const small = (name: string) => ({
          ...spec(name, 3),
          models: [
            {
              ...spec('x').models[0],
              params: { epochs: 4, batchSize: 32, hiddenLayers: 1 },
            } as ModelSpecInput,
          ],
        });
        const baseline = await (await client.submit(small('faults-base'))).result();
        await stopAll([control]);
        control = await startControlWorker(stack.env, faultDir(stack, 'control'), {
          FOLDWISE_WORKFLOW_CACHE: '0',
        });
        workers.push(control);
        const handle = await client.submit(small('faults-restart'));
        await waitFor(
          'two folds of the search to be written',
          () =>
            faultEvents(dir).filter((e) => e.point === 'fold-written' && e.foldId.startsWith(handle.searchId))
              .length >= 2,
          120_000,
        );
        process.kill(control.proc.pid ?? 0, 'SIGKILL');
        const killedAt = Date.now();
        control = await startControlWorker(stack.env, faultDir(stack, 'control'), {
          FOLDWISE_WORKFLOW_CACHE: '0',
        });
        workers.push(control);
        const restartS = (Date.now() - killedAt) / 1000;
        const result = await handle.result();
        assert.equal(result.status, 'completed');
        oneDocPerFold(await handle.foldDocs(), 3, 3);
        assert.deepEqual(boardOf(result), boardOf(baseline), 'same leaderboard as the uninterrupted run');
        histories['restart search'] = await client.temporal.workflow
          .getHandle(handle.searchId)
          .fetchHistory();
        histories['restart trial'] = await client.temporal.workflow
          .getHandle(trialWorkflowId(handle.searchId, 0))
          .fetchHistory();
        return `control worker killed and back in ${restartS.toFixed(1)} s; leaderboard of ${result.leaderboard.length} trials identical to the uninterrupted run (best ${result.best?.score.toFixed(4)})`;
      });
    });
  },
);

test(
  'histories from the kill and restart scenarios replay without non-determinism, and a changed workflow fails replay',
  { timeout: 300_000 },
  async () => {
    await scenario('10 replay of recorded histories', async () => {
      const names = ['kill search', 'kill trial', 'restart search', 'restart trial'];
      const missing = names.filter((n) => histories[n] === undefined);
      assert.deepEqual(missing, [], 'scenarios 1 and 4 recorded their histories');
      const bundle = await workflowBundle();
      for (const n of names)
        await Worker.runReplayHistory(
          { workflowBundle: bundle },
          histories[n],
          `replay-${n.replace(' ', '-')}`,
        );
      const changed = await bundleWorkflowCode({
        workflowsPath: resolve(__dirname, '../../workflows/src/testing/changed.ts'),
      });
      let failed = 0;
      for (const n of ['kill search', 'restart search']) {
        await assert.rejects(
          Worker.runReplayHistory(
            { workflowBundle: changed },
            histories[n],
            `changed-${n.replace(' ', '-')}`,
          ),
          DeterminismViolationError,
        );
        failed += 1;
      }
      return `${names.length} histories replayed clean; the changed workflow failed replay on ${failed}/2 with DeterminismViolationError`;
    });
  },
);

test(
  'a worker stopped with SIGTERM mid-fold finishes the fold within its grace time, or hands it back to be resumed elsewhere',
  { timeout: 300_000 },
  async () => {
    await scenario('11 graceful SIGTERM', async () => {
      const dir = faultDir(stack, 'term');
      const training = (pid: number | undefined, minEpoch: number) =>
        waitFor(
          'a fold checkpointed on the worker and still training',
          () => {
            const evs = faultEvents(dir);
            return evs.find(
              (e) =>
                e.point === 'fold-checkpoint' &&
                e.pid === pid &&
                (e.epoch ?? 0) >= minEpoch &&
                !evs.some((w) => w.point === 'fold-written' && w.foldId === e.foldId),
            );
          },
          120_000,
          50,
        );
      const longFolds = (name: string, epochs: number) => ({
        ...spec(name, 1),
        models: [
          { ...spec('x').models[0], params: { epochs, batchSize: 32, hiddenLayers: 1 } } as ModelSpecInput,
        ],
      });

      const patient = await startPoolWorker(stack.env, dir, { FOLDWISE_SHUTDOWN_GRACE: '120s' });
      workers.push(patient);
      const first = await client.submit(longFolds('faults-term-grace', 120));
      const finishing = await training(patient.proc.pid, 2);
      patient.proc.kill('SIGTERM');
      assert.equal(await patient.exited, 0, 'the worker exits cleanly once its fold is done');
      const wrote = faultEvents(dir).find((e) => e.point === 'fold-written' && e.foldId === finishing.foldId);
      assert.equal(
        wrote?.pid,
        patient.proc.pid,
        'the fold running at SIGTERM was finished and written by that worker',
      );
      const helper = await startPoolWorker(stack.env, dir);
      workers.push(helper);
      const r1 = await first.result();
      assert.equal(r1.status, 'completed');
      const folds1 = await first.foldDocs();
      oneDocPerFold(folds1, 1, 3);
      assert.equal(
        folds1.find((f) => f._id === finishing.foldId)?.attempt,
        1,
        'finished in its first attempt',
      );

      const hasty = await startPoolWorker(stack.env, dir, { FOLDWISE_SHUTDOWN_GRACE: '1s' });
      workers.push(hasty);
      await helper.stop(60_000);
      const second = await client.submit(longFolds('faults-term-handback', 600));
      const handed = await training(hasty.proc.pid, 4);
      const termAt = Date.now();
      hasty.proc.kill('SIGTERM');
      assert.equal(await hasty.exited, 0);
      assert.ok(
        !faultEvents(dir).some((e) => e.point === 'fold-written' && e.foldId === handed.foldId),
        'the grace time ended before the fold did',
      );
      const trial = client.temporal.workflow.getHandle(trialWorkflowId(second.searchId, 0));
      const handback = await waitFor(
        'Temporal to record the fold as handed back (a retryable failure, not a heartbeat timeout)',
        async () =>
          (await trial.describe()).raw.pendingActivities?.find(
            (a) => (a.attempt ?? 0) >= 2 && /handed back at epoch/.test(a.lastFailure?.message ?? ''),
          ),
        10_000,
      );
      const handbackS = (Date.now() - termAt) / 1000;
      const taker = await startPoolWorker(stack.env, dir);
      workers.push(taker);
      const r2 = await second.result();
      assert.equal(r2.status, 'completed');
      const folds2 = await second.foldDocs();
      oneDocPerFold(folds2, 1, 3);
      const doc = folds2.find((f) => f._id === handed.foldId);
      assert.ok(doc && doc.attempt >= 2, `the handed-back fold was retried (attempt ${doc?.attempt})`);
      const retry = faultEvents(dir).find(
        (e) => e.point === 'fold-start' && e.foldId === handed.foldId && e.attempt >= 2,
      );
      assert.ok(retry && retry.pid === taker.proc.pid, 'retried on the new worker');

      assert.ok(
        (doc.resumedFromEpoch ?? 0) >= 4,
        `resumed from its checkpoint (epoch ${doc.resumedFromEpoch})`,
      );
      return `grace 120 s: the running fold finished on the stopping worker (attempt 1), exit 0; grace 1 s: Temporal held the fold as handed back ("${handback.lastFailure?.message}") ${handbackS.toFixed(1)} s after SIGTERM, attempt 2 ran on another worker once its slot was free (${((retry.t - termAt) / 1000).toFixed(1)} s) and resumed from epoch ${doc.resumedFromEpoch}`;
    });
  },
);
