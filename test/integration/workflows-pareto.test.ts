import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
  bundleWorkflowCode,
} from '@temporalio/worker';
import type { FoldwiseActivities } from '@foldwise/activities';
import { dominates } from '@foldwise/compare';
import {
  parseSearchSpec,
  type SearchPlan,
  type SearchResult,
  type TrainFoldInput,
  type TrainFoldSummary,
} from '@foldwise/spec';

const root = resolve(__dirname, '../..');
const temporalBin = resolve(root, '.cache/bin/temporal');
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

const nFolds = 4;
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

/** Bigger models score higher and predict slower; more than 64 units break the size limit. */
function foldMetrics(params: Record<string, unknown>, fold: number): Record<string, number> {
  const units = Number(params['units'] ?? 8);
  const lr = Number(params['learningRate'] ?? 0.01);
  return {
    accuracy: 0.6 + 0.05 * Math.log2(units) - 0.05 * Math.abs(Math.log10(lr) + 1.5) + 0.01 * fold,
    predict_ms_per_1k: units * (1 + 0.1 * fold) + 10 * lr,
    param_count: units * 10,
  };
}

function mockActivities(inputs: TrainFoldInput[]): FoldwiseActivities {
  return {
    async prepareSearch() {
      return plan;
    },
    async trainFold(input: TrainFoldInput): Promise<TrainFoldSummary> {
      inputs.push(input);
      const metrics = Object.fromEntries(
        Object.entries(foldMetrics(input.params, input.fold)).filter(([k]) => input.metrics.includes(k)),
      );
      return {
        fold: input.fold,
        status: 'completed',
        metrics,
        primary: metrics['accuracy'] as number,
        epochsTrained: 1,
        durationMs: 1,
        attempt: 1,
        reused: false,
        backend: 'mock',
      };
    },
    async finishTrial(input: Parameters<FoldwiseActivities['finishTrial']>[0]) {
      const folds = input.folds ?? [];
      const names = Object.keys(folds[0]?.metrics ?? {});
      const metrics = Object.fromEntries(
        names.map((n) => {
          const mean = folds.reduce((s, f) => s + (f.metrics[n] ?? 0), 0) / folds.length;
          return [n, { mean, std: 0, ci95: [mean, mean] as [number, number], n: folds.length }];
        }),
      );
      return { metrics, epochsTrained: 1 };
    },
    async finishSearch() {},
  } as unknown as FoldwiseActivities;
}

before(async () => {
  assert.ok(existsSync(temporalBin), `${temporalBin} is missing: run npm run stack:up`);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalBin }, ip: '127.0.0.1' },
  });
  bundle = await bundleWorkflowCode({ workflowsPath: resolve(root, 'workflows/src/index.ts') });
});

after(async () => {
  await env?.teardown();
});

test(
  'a two-objective search with a constraint records the cost metrics, never picks an infeasible winner, returns a mutually non-dominated front, and replays',
  { timeout: 180_000 },
  async () => {
    const spec = parseSearchSpec({
      name: 'wf-pareto',
      dataset: { builtin: 'iris' },
      metrics: { primary: 'accuracy' },
      objectives: [{ metric: 'accuracy' }, { metric: 'predict_ms_per_1k' }],
      constraints: [{ metric: 'param_count', max: 640 }],
      models: [
        {
          family: 'mlp',
          space: {
            units: { type: 'choice', values: [4, 16, 64, 256] },
            learningRate: { type: 'logUniform', low: 0.001, high: 1 },
          },
        },
      ],
      strategy: { kind: 'tpe', nStartupTrials: 4 },
      budget: { trials: 10, parallelism: 2 },
      refit: false,
      seed: 5,
    });
    const inputs: TrainFoldInput[] = [];
    const workers = await Promise.all(
      ['foldwise-control', 'foldwise-cpu'].map((taskQueue) =>
        Worker.create({
          connection: env.nativeConnection,
          taskQueue,
          workflowBundle: bundle,
          activities: mockActivities(inputs),
        }),
      ),
    );
    const handle = await env.client.workflow.start('searchWorkflow', {
      taskQueue: 'foldwise-control',
      workflowId: 'wf-pareto',
      args: [{ searchId: 'wf-pareto', spec, dataset: { builtin: 'iris' } }],
    });
    const [control, cpu] = workers as [Worker, Worker];
    const result = (await control.runUntil(cpu.runUntil(handle.result()))) as SearchResult;

    assert.equal(result.status, 'completed');
    assert.ok(inputs.every((i) => ['predict_ms_per_1k', 'param_count'].every((m) => i.metrics.includes(m))));
    assert.equal(inputs[0]?.metrics[0], 'accuracy', 'the primary metric stays first');
    const completed = result.leaderboard.filter((t) => t.status === 'completed');
    const infeasible = completed.filter((t) => (t.metrics['param_count']?.mean ?? 0) > 640);
    assert.ok(infeasible.length > 0, 'the seed proposes some configurations over the size limit');
    assert.ok(infeasible.every((t) => (t.violation ?? 0) > 0));
    assert.ok(!infeasible.some((t) => t.trialId === result.best?.trialId), 'the winner meets the constraint');
    assert.ok(
      result.leaderboard.findIndex((t) => (t.violation ?? 0) > 0) >
        result.leaderboard.findLastIndex((t) => t.status === 'completed' && (t.violation ?? 0) === 0),
      'infeasible configurations rank after every feasible one',
    );

    const pareto = result.pareto ?? [];
    assert.deepEqual(
      pareto.map((e) => e.trialId).sort(),
      completed
        .filter((t) => (t.violation ?? 0) === 0)
        .map((t) => t.trialId)
        .sort(),
    );
    const oriented = (o: number[]) => [o[0] as number, -(o[1] as number)];
    const front = pareto.filter((e) => e.onFront);
    assert.ok(front.length > 0);
    for (const a of front)
      for (const b of front) assert.equal(dominates(oriented(a.objectives), oriented(b.objectives)), false);
    assert.ok(pareto.every((e) => e.pNonDominated >= 0 && e.pNonDominated <= 1));
    assert.deepEqual(
      pareto.map((e) => e.onFront),
      [...pareto.map((e) => e.onFront)].sort((a, b) => Number(b) - Number(a)),
      'front first',
    );

    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
  },
);
