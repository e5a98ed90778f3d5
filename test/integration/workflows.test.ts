import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
  bundleWorkflowCode,
} from '@temporalio/worker';
import type { FoldwiseActivities } from '@foldwise/activities';
import {
  parseSearchSpec,
  type SearchPlan,
  type SearchResult,
  type SearchWorkflowInput,
  type TrainFoldInput,
  type TrainFoldSummary,
} from '@foldwise/spec';

const root = resolve(__dirname, '../..');
const workflowsDir = resolve(root, 'workflows/src');
const temporalBin = resolve(root, '.cache/bin/temporal');
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

const nFolds = 5;
const plan: SearchPlan = {
  datasetHash: 'd'.repeat(64),
  task: 'classification',
  nSamples: 100,
  nFeatures: 4,
  nClasses: 3,
  classes: [0, 1, 2],
  nFolds,
  planHash: 'p'.repeat(16),
  nHeldOut: 0,
  testTrainRatio: 0.25,
  primary: { name: 'accuracy', greaterIsBetter: true },
};

/** An objective with a known optimum at lr = 0.05, a per-fold offset and small deterministic noise. */
function foldScore(params: Record<string, unknown>, fold: number, trialIndex: number): number {
  const lr = Number(params['learningRate'] ?? 0.01);
  return (
    0.9 -
    0.1 * Math.abs(Math.log10(lr) - Math.log10(0.05)) +
    0.01 * fold +
    0.004 * Math.sin(trialIndex * 7.1 + fold * 3.3)
  );
}

interface Calls {
  /** Folds whose training completed (cancelled ones are not here). */
  trainFold: TrainFoldInput[];
  /** Rung runs of folds (trained to a scheduler's epoch and paused). */
  partial?: TrainFoldInput[];
  finished: { trialIndex: number; status: string; foldsSkipped: number[] }[];
  searches: { status: string }[];
}

function mockActivities(calls: Calls): FoldwiseActivities {
  const scores = new Map<number, number[]>();
  return {
    async prepareSearch() {
      return plan;
    },
    async recordTrialStart() {},
    async trainFold(input: TrainFoldInput): Promise<TrainFoldSummary> {
      const ctx = Context.current();
      for (let i = 0; i < (input.fold >= 3 ? 20 : 1); i++) {
        ctx.heartbeat();
        await ctx.sleep(25);
      }
      const s = foldScore(input.params, input.fold, input.trialIndex);
      if (input.untilEpoch !== undefined) {
        (calls.partial ??= []).push(input);
        const pausedAt = {
          checkpoint: `ckpt/${input.trialIndex}/${input.fold}/${input.untilEpoch}`,
          epoch: input.untilEpoch,
        };
        return {
          fold: input.fold,
          status: 'partial',
          metrics: { accuracy: s },
          primary: s,
          epochsTrained: input.untilEpoch,
          durationMs: 1,
          attempt: 1,
          reused: false,
          backend: 'mock',
          pausedAt,
        };
      }
      calls.trainFold.push(input);
      scores.set(input.trialIndex, [...(scores.get(input.trialIndex) ?? []), s]);
      return {
        fold: input.fold,
        status: 'completed',
        metrics: { accuracy: s },
        primary: s,
        epochsTrained: 3,
        durationMs: 1,
        attempt: 1,
        reused: false,
        backend: 'mock',
      };
    },
    async finalizePartialFolds() {},
    async finishTrial(input: Parameters<FoldwiseActivities['finishTrial']>[0]) {
      calls.finished.push({
        trialIndex: input.trialIndex,
        status: input.status,
        foldsSkipped: input.foldsSkipped,
      });
      const xs = scores.get(input.trialIndex) ?? [];
      const mean = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      return {
        metrics: xs.length ? { accuracy: { mean, std: 0, ci95: [mean, mean], n: xs.length } } : {},
        epochsTrained: 3,
      };
    },
    async refitBest(input: Parameters<FoldwiseActivities['refitBest']>[0]) {
      return {
        trialId: input.trialId,
        artifact: `models/${input.searchId}/${input.trialId}`,
        nTrain: 100,
        nTest: 0,
        backend: 'mock',
      };
    },
    async finishSearch(input: Parameters<FoldwiseActivities['finishSearch']>[0]) {
      calls.searches.push({ status: input.status });
    },
  } as unknown as FoldwiseActivities;
}

function specOf(over: Record<string, unknown> = {}) {
  return parseSearchSpec({
    name: 'wf-test',
    dataset: { builtin: 'iris' },
    metrics: { primary: 'accuracy' },
    models: [
      { family: 'logistic', space: { learningRate: { type: 'logUniform', low: 0.001, high: 1 } } },
      {
        family: 'mlp',
        space: {
          learningRate: { type: 'logUniform', low: 0.001, high: 1 },
          units: { type: 'choice', values: [8, 16] },
        },
      },
    ],
    budget: { trials: 8, parallelism: 3 },
    seed: 3,
    ...over,
  });
}

async function runSearch(
  input: Omit<SearchWorkflowInput, 'dataset'>,
  calls: Calls,
  queue = `t-${Math.random().toString(36).slice(2)}`,
  acts: FoldwiseActivities = mockActivities(calls),
) {
  const mk = (taskQueue: string) =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: acts,
      maxHeartbeatThrottleInterval: '50ms',
    });
  const control = await mk('foldwise-control');
  const cpu = await mk('foldwise-cpu');
  const handle = await env.client.workflow.start('searchWorkflow', {
    taskQueue: 'foldwise-control',
    workflowId: `${input.searchId}-${queue}`,
    args: [{ ...input, searchId: input.searchId, dataset: { builtin: 'iris' } }],
  });
  const result = (await control.runUntil(cpu.runUntil(handle.result()))) as SearchResult;
  return { result, handle };
}

before(async () => {
  assert.ok(
    existsSync(temporalBin),
    `${temporalBin} is missing: run npm run stack:up (it builds the Temporal CLI once)`,
  );
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalBin }, ip: '127.0.0.1' },
  });
  bundle = await bundleWorkflowCode({ workflowsPath: resolve(workflowsDir, 'index.ts') });
});

after(async () => {
  await env?.teardown();
});

test(
  'a search runs every configuration on every fold and ranks them best first',
  { timeout: 120_000 },
  async () => {
    const calls: Calls = { trainFold: [], finished: [], searches: [] };
    const { result } = await runSearch({ searchId: 'wf-basic', spec: specOf() }, calls);
    assert.equal(result.status, 'completed');
    assert.equal(calls.trainFold.length, 8 * nFolds);
    const perTrial = new Map<number, Set<number>>();
    for (const c of calls.trainFold)
      perTrial.set(c.trialIndex, (perTrial.get(c.trialIndex) ?? new Set()).add(c.fold));
    assert.equal(perTrial.size, 8);
    for (const folds of perTrial.values()) assert.equal(folds.size, nFolds);
    const means = result.leaderboard.map((t) => t.metrics['accuracy']?.mean ?? 0);
    assert.deepEqual(
      means,
      [...means].sort((a, b) => b - a),
    );
    assert.equal(result.best?.trialId, result.leaderboard[0]?.trialId);
    assert.ok(result.comparison?.verdict);
    assert.equal(result.refit?.trialId, result.best?.trialId);
    assert.deepEqual(
      calls.searches.map((s) => s.status),
      ['completed'],
    );
    assert.ok(calls.trainFold.every((c) => c.planHash === plan.planHash && c.label.length > 0));
  },
);

test(
  'a fold that fails non-retryably fails its trial with its own reason, not the cancellation of its sibling folds',
  { timeout: 120_000 },
  async () => {
    const calls: Calls = { trainFold: [], finished: [], searches: [] };
    const base = mockActivities(calls);
    const acts = {
      ...base,
      async trainFold(input: TrainFoldInput): Promise<TrainFoldSummary> {
        if (input.trialIndex !== 1) return base.trainFold(input);
        // Trial 1: fold 2 fails at once; folds 0 and 1 (earlier lanes) are still running and get cancelled.
        if (input.fold === 2)
          throw ApplicationFailure.nonRetryable(
            'cnn: inputShape: cnn needs [height, width, channels]',
            'ModelError',
          );
        const ctx = Context.current();
        for (let i = 0; i < 200; i++) {
          ctx.heartbeat();
          await ctx.sleep(25);
        }
        return base.trainFold(input);
      },
    } as FoldwiseActivities;
    const { result } = await runSearch(
      { searchId: 'wf-fold-fails', spec: specOf({ budget: { trials: 3, parallelism: 3 } }) },
      calls,
      undefined,
      acts,
    );
    assert.equal(result.status, 'completed');
    const failed = result.leaderboard.find((t) => t.trialIndex === 1);
    assert.equal(failed?.status, 'failed');
    assert.match(
      failed?.error ?? '',
      /inputShape/,
      `the trial's reason is the fold's failure (got ${JSON.stringify(failed?.error)})`,
    );
    assert.deepEqual(
      result.leaderboard
        .filter((t) => t.status === 'completed')
        .map((t) => t.trialIndex)
        .sort(),
      [0, 2],
    );
  },
);

test(
  'fold racing stops configurations that cannot win and records what it skipped',
  { timeout: 120_000 },
  async () => {
    const calls: Calls = { trainFold: [], finished: [], searches: [] };
    const spec = specOf({
      racing: { enabled: true, minFolds: 3, alpha: 0.1 },
      budget: { trials: 10, parallelism: 1 },
    });
    const { result } = await runSearch({ searchId: 'wf-race', spec }, calls);
    assert.equal(result.status, 'completed');
    const pruned = result.leaderboard.filter((t) => t.status === 'pruned');
    assert.ok(pruned.length > 0, 'some configurations were raced out');
    for (const t of pruned) {
      assert.equal(t.prunedBy?.kind, 'racing');
      assert.equal(
        typeof (t.prunedBy?.evidence as { pValue?: unknown }).pValue,
        'number',
        'the evidence carries the test result',
      );
      assert.ok(
        t.foldScores.some((x) => x === null),
        'a pruned trial skipped folds',
      );
    }
    const skipped = calls.finished.reduce((s, f) => s + f.foldsSkipped.length, 0);
    assert.equal(
      calls.trainFold.length + skipped,
      10 * nFolds,
      'every fold either completed or is accounted for as skipped',
    );
    assert.equal(result.counts.foldsSkipped, skipped);
  },
);

test(
  'every listed family gets its floor of trials, the verdict names the best of each, and intervals stay in [0, 1]',
  { timeout: 120_000 },
  async () => {
    const calls: Calls = { trainFold: [], finished: [], searches: [] };
    const spec = specOf({ strategy: { kind: 'tpe' }, budget: { trials: 6, parallelism: 2 } });
    const { result } = await runSearch({ searchId: 'wf-floor', spec }, calls);
    assert.equal(result.status, 'completed');
    for (const family of ['logistic', 'mlp']) {
      const n = result.leaderboard.filter((t) => t.model === family).length;
      assert.equal(
        n,
        3,
        `${family}: an even share of the 6 trials (TPE's 10 startup trials halved, capped at 3)`,
      );
    }
    const c = result.comparison!;
    assert.deepEqual(
      c.families?.map((f) => f.model),
      ['logistic', 'mlp'],
    );
    assert.match(c.verdict, /Best of each family: logistic .*; mlp /);
    assert.equal(c.holm, 'all-pairs');
    assert.equal(result.best?.ciMethod, 'logit-corrected-t');
    for (const x of [...c.candidates.map((k) => k.ci95), result.best!.ci95]) {
      assert.ok(x[0] >= 0 && x[1] <= 1, `[${x.join(', ')}] stays inside [0, 1]`);
    }
  },
);

test(
  'a search continues as new before its history grows large and keeps every decision',
  { timeout: 180_000 },
  async () => {
    const calls: Calls = { trainFold: [], finished: [], searches: [] };
    const spec = specOf({ budget: { trials: 12, parallelism: 2 } });
    const { result, handle } = await runSearch({ searchId: 'wf-can', spec, continueAfterEvents: 40 }, calls);
    assert.equal(result.status, 'completed');
    assert.equal(result.counts.trials, 12);
    assert.equal(new Set(result.leaderboard.map((t) => t.trialIndex)).size, 12);
    const desc = await handle.describe();
    assert.notEqual(desc.runId, handle.firstExecutionRunId, 'the search continued as new at least once');
    const ref: Calls = { trainFold: [], finished: [], searches: [] };
    const uninterrupted = await runSearch({ searchId: 'wf-can', spec }, ref);
    assert.deepEqual(
      result.leaderboard.map((t) => [t.trialIndex, t.params]),
      uninterrupted.result.leaderboard.map((t) => [t.trialIndex, t.params]),
      'continue-as-new takes the same decisions as one long run',
    );
  },
);

test(
  'a recorded history replays without non-determinism, and a changed workflow fails replay',
  { timeout: 120_000 },
  async () => {
    const calls: Calls = { trainFold: [], finished: [], searches: [] };
    const { handle } = await runSearch(
      { searchId: 'wf-replay', spec: specOf({ budget: { trials: 3, parallelism: 2 } }) },
      calls,
    );
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
    const changed = await bundleWorkflowCode({ workflowsPath: resolve(workflowsDir, 'testing/changed.ts') });
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: changed }, history, handle.workflowId),
      /[Nn]ondeterminism|DeterminismViolation/,
    );
  },
);

test(
  'each scheduler rung of a fold resumes from the checkpoint its previous rung paused at',
  { timeout: 120_000 },
  async () => {
    const calls: Calls = { trainFold: [], finished: [], searches: [] };
    const spec = specOf({
      scheduler: { kind: 'asha', minResource: 1, maxResource: 9, reductionFactor: 3 },
      budget: { trials: 6, parallelism: 3 },
    });
    const { result } = await runSearch({ searchId: 'wf-rungs', spec }, calls);
    assert.equal(result.status, 'completed');
    const partial = calls.partial ?? [];
    assert.ok(
      partial.some((c) => c.untilEpoch === 1) && partial.some((c) => c.untilEpoch === 3),
      'folds paused at rungs 1 and 3',
    );
    const runs = [...partial, ...calls.trainFold];
    let resumed = 0;
    for (const c of runs) {
      const prev = partial.filter(
        (p) =>
          p.trialIndex === c.trialIndex &&
          p.fold === c.fold &&
          (p.untilEpoch ?? 0) < (c.untilEpoch ?? Infinity),
      );
      const last = prev.sort((a, b) => (b.untilEpoch ?? 0) - (a.untilEpoch ?? 0))[0];
      if (!last) {
        assert.equal(
          c.resumeFrom,
          undefined,
          `trial ${c.trialIndex} fold ${c.fold} starts from scratch at its first rung`,
        );
        continue;
      }
      assert.deepEqual(c.resumeFrom, {
        checkpoint: `ckpt/${c.trialIndex}/${c.fold}/${last.untilEpoch}`,
        epoch: last.untilEpoch,
      });
      resumed++;
    }
    assert.ok(resumed > 0, 'some folds went on past their first rung');
  },
);

test(
  'pause stops new trials, extendBudget adds some, resume starts them again, and the queries report it',
  { timeout: 120_000 },
  async () => {
    const calls: Calls = { trainFold: [], finished: [], searches: [] };
    const acts = mockActivities(calls);
    const mk = (taskQueue: string) =>
      Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: acts,
        maxHeartbeatThrottleInterval: '50ms',
      });
    const control = await mk('foldwise-control');
    const cpu = await mk('foldwise-cpu');
    const handle = await env.client.workflow.start('searchWorkflow', {
      taskQueue: 'foldwise-control',
      workflowId: `wf-pause-${Math.random().toString(36).slice(2)}`,
      args: [
        {
          searchId: 'wf-pause',
          spec: specOf({ budget: { trials: 4, parallelism: 1 } }),
          dataset: { builtin: 'iris' },
        },
      ],
    });
    const result = (await control.runUntil(
      cpu.runUntil(
        (async () => {
          const paused = await handle.executeUpdate<{ paused: boolean }, []>('pause');
          assert.equal(paused.paused, true);
          const status = await handle.query<{ paused?: boolean; started: number; budget: number }>('status');
          assert.equal(status.paused, true);
          assert.equal(status.budget, 4);
          await new Promise((r) => setTimeout(r, 1500));
          const still = await handle.query<{ started: number }>('status');
          assert.ok(still.started <= 1, `no trial starts while paused (started ${still.started})`);
          assert.deepEqual(
            await handle.executeUpdate<{ budget: number }, [number]>('extendBudget', { args: [2] }),
            { budget: 6 },
          );
          assert.equal((await handle.executeUpdate<{ paused: boolean }, []>('resume')).paused, false);
          const board = await handle.query<unknown[]>('leaderboard');
          assert.ok(Array.isArray(board));
          return handle.result();
        })(),
      ),
    )) as SearchResult;
    assert.equal(result.status, 'completed');
    assert.equal(result.counts.trials, 6, 'the extended budget ran');
    assert.equal(new Set(calls.trainFold.map((c) => c.trialIndex)).size, 6);
  },
);
