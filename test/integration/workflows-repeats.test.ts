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
import { undecidedCandidates } from '@foldwise/compare';
import {
  parseSearchSpec,
  trialRepeatWorkflowId,
  type SearchPlan,
  type SearchResult,
  type TrainFoldInput,
  type TrainFoldSummary,
} from '@foldwise/spec';

const root = resolve(__dirname, '../..');
const temporalBin = resolve(root, '.cache/bin/temporal');
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

const k = 4;
const max = 4;
const plan: SearchPlan = {
  datasetHash: 'd'.repeat(64),
  task: 'classification',
  nSamples: 100,
  nFeatures: 4,
  nClasses: 3,
  classes: [0, 1, 2],
  nFolds: k,
  repeats: { k, max },
  planHash: 'p'.repeat(16),
  nHeldOut: 0,
  testTrainRatio: 0.25,
  primary: { name: 'accuracy', greaterIsBetter: true },
};

/** Accuracy of a learning rate on a fold: a shared fold effect, the rate's own level and candidate × fold noise. */
function score(lr: number, fold: number): number {
  const level = lr === 0.05 ? 0.9 : lr === 0.051 ? 0.899 : 0.7;
  return level + 0.01 * Math.sin(fold * 1.7) + 0.008 * Math.sin(lr * 1000 + fold * 4.1);
}

interface Seen {
  folds: TrainFoldInput[];
  finishes: Parameters<FoldwiseActivities['finishTrial']>[0][];
}

function mockActivities(seen: Seen): FoldwiseActivities {
  return {
    async prepareSearch() {
      return plan;
    },
    async trainFold(input: TrainFoldInput): Promise<TrainFoldSummary> {
      seen.folds.push(input);
      const s = score(Number(input.params['learningRate']), input.fold);
      return {
        fold: input.fold,
        status: 'completed',
        metrics: { accuracy: s },
        primary: s,
        epochsTrained: 2,
        durationMs: 1,
        attempt: 1,
        reused: false,
        backend: 'mock',
      };
    },
    async finishTrial(input: Parameters<FoldwiseActivities['finishTrial']>[0]) {
      seen.finishes.push(input);
      const folds = input.folds ?? [];
      const mean = folds.reduce((s, f) => s + (f.metrics['accuracy'] ?? 0), 0) / Math.max(1, folds.length);
      return {
        metrics: { accuracy: { mean, std: 0, ci95: [mean, mean] as [number, number], n: folds.length } },
        epochsTrained: folds.reduce((s, f) => s + f.epochsTrained, 0),
      };
    },
    async finishSearch() {},
  } as unknown as FoldwiseActivities;
}

async function run(searchId: string, rates: number[]) {
  const spec = parseSearchSpec({
    name: searchId,
    dataset: { builtin: 'iris' },
    metrics: { primary: 'accuracy' },
    cv: { kind: 'stratified', k, repeats: { auto: true, max } },
    models: [{ family: 'logistic', space: { learningRate: { type: 'choice', values: rates } } }],
    strategy: { kind: 'grid' },
    budget: { trials: rates.length, parallelism: rates.length },
    refit: false,
    seed: 2,
  });
  const seen: Seen = { folds: [], finishes: [] };
  const workers = await Promise.all(
    ['foldwise-control', 'foldwise-cpu'].map((taskQueue) =>
      Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        activities: mockActivities(seen),
      }),
    ),
  );
  const handle = await env.client.workflow.start('searchWorkflow', {
    taskQueue: 'foldwise-control',
    workflowId: searchId,
    args: [{ searchId, spec, dataset: { builtin: 'iris' } }],
  });
  const [control, cpu] = workers as [Worker, Worker];
  const result = (await control.runUntil(cpu.runUntil(handle.result()))) as SearchResult;
  return { result, seen, handle, spec };
}

/** Folds each trial trained, by trial index. */
function foldsByTrial(seen: Seen): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const f of seen.folds) out.set(f.trialIndex, [...(out.get(f.trialIndex) ?? []), f.fold]);
  for (const v of out.values()) v.sort((a, b) => a - b);
  return out;
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
  'repeats on demand: only the winner and the candidates it cannot be separated from run further repeats, each fold once, until decided or max',
  { timeout: 180_000 },
  async (t) => {
    const { result, seen, handle } = await run('wf-repeats', [0.05, 0.051, 0.001]);
    assert.equal(result.status, 'completed');
    const byTrial = foldsByTrial(seen);
    const rep = result.comparison?.repeats;
    assert.ok(rep, 'the comparison records the repeats');
    t.diagnostic(`repeats: ${JSON.stringify(rep)}; verdict: ${result.comparison?.verdict}`);
    assert.equal(rep.k, k);
    assert.equal(rep.max, max);
    assert.ok(rep.rounds.length >= 1, 'two candidates 0.1 points apart are not separated on 4 folds');

    const lrOf = (trialIndex: number) =>
      Number(result.leaderboard.find((t) => t.trialIndex === trialIndex)?.params['learningRate']);
    for (const [trialIndex, folds] of byTrial) {
      // Every fold index trained once, contiguous from 0: whole repeats, none twice.
      assert.deepEqual(
        folds,
        Array.from({ length: folds.length }, (_, i) => i),
        `trial ${trialIndex}`,
      );
      assert.equal(folds.length % k, 0);
      if (lrOf(trialIndex) === 0.001)
        assert.equal(folds.length, k, 'the clearly worse candidate never repeats');
      else assert.ok(folds.length > k, `near-equal candidate ${trialIndex} repeats`);
    }
    assert.ok(
      seen.folds.every((f) => f.planHash === plan.planHash),
      'every repeat uses the one plan',
    );
    assert.ok(
      seen.folds
        .filter((f) => f.fold >= k)
        .every((f) => f.untilEpoch === undefined && f.resumeFrom === undefined),
    );

    // The record matches what ran, and the final verdict is what the record says.
    for (const [trialId, n] of Object.entries(rep.perCandidate)) {
      const t = result.leaderboard.find((x) => x.trialId === trialId);
      assert.ok(t);
      assert.equal(t.foldScores.length, n * k, `${trialId} scores cover its ${n} repeats`);
      assert.equal((byTrial.get(t.trialIndex) ?? []).length, n * k);
    }
    for (const r of rep.rounds)
      assert.ok(r.trials.includes(result.comparison?.winner ?? ''), 'the winner repeats');
    const undecided = undecidedCandidates(result.comparison!, 0.05);
    if (rep.decided) assert.deepEqual(undecided, []);
    else assert.equal(Math.max(...Object.values(rep.perCandidate)), max, 'undecided only when max is spent');
    assert.match(result.comparison?.verdict ?? '', /repeats? of 4 folds/);
    assert.equal(result.counts.foldsRun, seen.folds.length, 'repeat folds are counted');

    // Each repeat wrote its trial again with every fold (the first write counted the trial; later ones replace it).
    for (const x of result.leaderboard.filter((y) => y.foldScores.length > k)) {
      const writes = seen.finishes.filter((f) => f.trialIndex === x.trialIndex);
      assert.equal(writes[0]?.repeats, undefined);
      const last = writes.at(-1);
      assert.equal(last?.repeats, x.foldScores.length / k);
      assert.equal(last?.folds?.length, x.foldScores.length);
      assert.equal(last?.foldCount, x.foldScores.length);
      assert.ok(writes.every((w) => w.status === 'completed'));
    }
    const repeatRuns = await Promise.all(
      rep.rounds.flatMap((r) =>
        r.trials.map((id) => {
          const t = result.leaderboard.find((x) => x.trialId === id);
          return env.client.workflow
            .getHandle(trialRepeatWorkflowId('wf-repeats', t!.trialIndex, r.repeat))
            .describe();
        }),
      ),
    );
    assert.ok(repeatRuns.every((d) => d.status.name === 'COMPLETED'));

    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
  },
);

test(
  'repeats on demand: a verdict decided on the first repeat runs no further fold',
  { timeout: 120_000 },
  async () => {
    const { result, seen } = await run('wf-repeats-decided', [0.05, 0.001]);
    assert.equal(result.status, 'completed');
    assert.equal(seen.folds.length, 2 * k);
    assert.ok(seen.folds.every((f) => f.fold < k));
    const rep = result.comparison?.repeats;
    assert.equal(rep?.decided, true);
    assert.deepEqual(rep?.rounds, []);
    assert.match(result.comparison?.verdict ?? '', /Decided on the first repeat of 4 folds/);
  },
);
