import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { FoldDoc, FoldwiseEvent, MetricSummary, TrialDoc } from '@foldwise/spec';
import { summarizeFolds } from './aggregate';
import { createBestScoreTracker } from './best';
import type { ActivityDeps } from './ports';
import { createTrialActivities, type FinishTrialInput } from './trial';

// Student-t 0.975 quantiles from scipy 1.10 (`scipy.stats.t.ppf(0.975, df)`), the independent reference.
const T975: Record<number, number> = { 2: 4.302652729911275, 3: 3.182446305284263, 4: 2.7764451051977987 };

type FinishResult = { metrics: Record<string, MetricSummary>; epochsTrained: number };

function harness(opts: { storedFolds?: FoldDoc[] } = {}) {
  const trials: TrialDoc[] = [];
  const reads: string[] = [];
  const events: FoldwiseEvent[] = [];
  const best: [string, string, number][] = [];
  const deps = {
    store: {
      insertTrial: async (doc: TrialDoc) => {
        const dup = trials.some((t) => t._id === doc._id);
        if (!dup) trials.push(doc);
        return { written: !dup };
      },
      foldsOfTrial: async (trialId: string) => {
        reads.push(trialId);
        return opts.storedFolds ?? [];
      },
      removeArtifacts: async () => 0,
    },
    events: { publish: (e: FoldwiseEvent) => void events.push(e) },
    telemetry: {
      trialFinished: () => undefined,
      bestScore: (s: string, m: string, v: number) => void best.push([s, m, v]),
    },
  } as unknown as ActivityDeps;
  const acts = createTrialActivities(deps, createBestScoreTracker(deps.telemetry));
  const env = new MockActivityEnvironment();
  const finish = (input: FinishTrialInput) => env.run(acts.finishTrial, input) as Promise<FinishResult>;
  return { acts, env, finish, trials, reads, events, best };
}

const finishing = (over: Partial<FinishTrialInput> = {}): FinishTrialInput => ({
  searchId: 'search-unit-abc',
  trialIndex: 2,
  status: 'completed',
  foldsSkipped: [],
  prunedBy: undefined,
  error: undefined,
  primary: { name: 'accuracy', greaterIsBetter: true },
  model: 'mlp',
  params: { units: 64 },
  foldCount: 4,
  startedAt: '2026-12-04T10:00:00.000Z',
  folds: [
    { fold: 0, metrics: { accuracy: 0.81, logLoss: 0.42, onlyOnce: 7 }, epochsTrained: 3 },
    { fold: 1, metrics: { accuracy: 0.86, logLoss: 0.35 }, epochsTrained: 4 },
    { fold: 2, metrics: { accuracy: 0.79, logLoss: 0.51 }, epochsTrained: 5 },
    { fold: 3, metrics: { accuracy: 0.9 }, epochsTrained: 6 },
  ],
  ...over,
});

test('summaries of fold scores are the mean, sample std and t interval that SciPy gives', () => {
  const folds = finishing().folds!;
  const got = summarizeFolds(folds);
  for (const name of ['accuracy', 'logLoss']) {
    const xs = folds.flatMap((f) => (f.metrics[name] === undefined ? [] : [f.metrics[name]]));
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const half = (T975[n - 1] ?? Number.NaN) * (std / Math.sqrt(n));
    const s = got[name];
    assert.ok(s, `metric ${name} summarized`);
    assert.equal(s.n, n);
    assert.ok(Math.abs(s.mean - mean) < 1e-12, `${name} mean ${s.mean} vs ${mean}`);
    assert.ok(Math.abs((s.std ?? Number.NaN) - std) < 1e-12, `${name} std`);
    // accuracy is bounded in [0, 1]: its interval is the t interval carried to the logit scale and back.
    const p = mean;
    const h = half / (p * (1 - p));
    const logit = Math.log(p / (1 - p));
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const [low, high] =
      name === 'accuracy' ? [sigmoid(logit - h), sigmoid(logit + h)] : [mean - half, mean + half];
    assert.equal(s.ciMethod, name === 'accuracy' ? 'logit-t' : 't');
    assert.ok(Math.abs((s.ci95?.[0] ?? Number.NaN) - low) < 1e-9, `${name} ci low`);
    assert.ok(Math.abs((s.ci95?.[1] ?? Number.NaN) - high) < 1e-9, `${name} ci high`);
  }
  assert.deepEqual(got['onlyOnce'], { mean: 7, std: null, ci95: null, n: 1 });
  assert.deepEqual(Object.keys(got), ['accuracy', 'logLoss', 'onlyOnce'], 'metrics in name order');
  const corrected = summarizeFolds(folds, { testTrainRatio: 0.25 })['accuracy']!;
  assert.equal(corrected.ciMethod, 'logit-corrected-t');
  assert.ok(corrected.ci95![1] - corrected.ci95![0] > got['accuracy']!.ci95![1] - got['accuracy']!.ci95![0]);
});

test('intervals of bounded metrics stay inside their range: a 4-fold f1_macro near 1 and an error near 0', () => {
  // Four folds of wine whose corrected t interval of f1_macro read [0.915, 1.056] before intervals were bounded.
  const f1 = [1, 0.9487, 1, 0.9474];
  const mse = [0.02, 0.31, 0.04, 0.01];
  const folds = f1.map((v, i) => ({ metrics: { f1_macro: v, mean_squared_error: mse[i]!, r2: 1 - v / 10 } }));
  const got = summarizeFolds(folds, { testTrainRatio: 1 / 3 });
  const [lo, hi] = got['f1_macro']!.ci95!;
  assert.equal(got['f1_macro']!.ciMethod, 'logit-corrected-t');
  assert.ok(lo >= 0 && hi <= 1 && lo < got['f1_macro']!.mean && hi > got['f1_macro']!.mean, `[${lo}, ${hi}]`);
  const [elo] = got['mean_squared_error']!.ci95!;
  assert.equal(got['mean_squared_error']!.ciMethod, 'log-corrected-t');
  assert.ok(elo > 0, `an error's interval stays above 0 (got ${elo})`);
  assert.ok(got['r2']!.ci95![1] <= 1, 'R² stays at or below 1');
});

test('finishing a trial writes its document once, from the fold results the workflow passed, reading nothing', async () => {
  const h = harness();
  const out = await h.finish(finishing());
  assert.deepEqual(h.reads, [], 'no store read');
  assert.equal(h.trials.length, 1);
  const doc = h.trials[0]!;
  assert.equal(doc._id, 'search-unit-abc:2');
  assert.equal(doc.status, 'completed');
  assert.equal(doc.foldCount, 4);
  assert.equal(doc.foldsCompleted, 4);
  assert.equal(doc.epochsTrained, 3 + 4 + 5 + 6);
  assert.equal(doc.createdAt, '2026-12-04T10:00:00.000Z');
  assert.deepEqual(doc.params, { units: 64 });
  assert.deepEqual(doc.metrics, summarizeFolds(finishing().folds!));
  assert.deepEqual(out.metrics, doc.metrics);
  const trialEvent = h.events.find((e) => e.kind === 'trial');
  assert.equal(
    (trialEvent?.payload as { metrics: Record<string, number> }).metrics['accuracy'],
    doc.metrics['accuracy']!.mean,
  );

  await h.finish(finishing({ status: 'failed', error: 'again' }));
  assert.equal(h.trials.length, 1, 'a repeated finish (activity retry) writes nothing more');
  assert.equal(h.trials[0]!.status, 'completed');
});

test('a pruned trial records its skipped folds and the evidence, and announces the prune', async () => {
  const h = harness();
  const prunedBy = { kind: 'racing' as const, evidence: { pValue: 0.01 } };
  await h.finish(
    finishing({ status: 'pruned', prunedBy, foldsSkipped: [3], folds: finishing().folds!.slice(0, 3) }),
  );
  assert.deepEqual(h.trials[0]!.foldsSkipped, [3]);
  assert.deepEqual(h.trials[0]!.prunedBy, prunedBy);
  assert.equal(h.trials[0]!.foldsCompleted, 3);
  assert.ok(h.events.some((e) => e.kind === 'pruned'));
});

test('a history recorded before fold results were passed rebuilds the trial from its stored folds', async () => {
  const stored = [0, 1].map(
    (fold) =>
      ({
        _id: `search-unit-abc:2:${fold}`,
        fold,
        status: 'completed',
        model: 'logistic',
        params: { learningRate: 0.1 },
        metrics: { accuracy: 0.6 + fold * 0.2 },
        epochsTrained: 5,
      }) as unknown as FoldDoc,
  );
  const h = harness({ storedFolds: stored });
  const legacy = finishing();
  delete legacy.folds;
  delete legacy.model;
  delete legacy.params;
  delete legacy.foldCount;
  await h.finish(legacy);
  assert.deepEqual(h.reads, ['search-unit-abc:2']);
  const doc = h.trials[0]!;
  assert.equal(doc.model, 'logistic');
  assert.equal(doc.foldsCompleted, 2);
  assert.ok(Math.abs(doc.metrics['accuracy']!.mean - 0.7) < 1e-12);
});

test('each completed trial that beats the best so far moves foldwise_search_best_score, in the metric direction', async () => {
  const up = harness();
  for (const [i, m] of [0.8, 0.7, 0.9, 0.85].entries()) {
    await up.finish(
      finishing({ trialIndex: i, folds: [{ fold: 0, metrics: { accuracy: m }, epochsTrained: 1 }] }),
    );
  }
  assert.deepEqual(up.best, [
    ['search-unit-abc', 'accuracy', 0.8],
    ['search-unit-abc', 'accuracy', 0.9],
  ]);
  const down = harness();
  for (const [i, m] of [0.5, 0.3, 0.4].entries()) {
    await down.finish(
      finishing({
        trialIndex: i,
        primary: { name: 'accuracy', greaterIsBetter: false },
        folds: [{ fold: 0, metrics: { accuracy: m }, epochsTrained: 1 }],
      }),
    );
  }
  assert.deepEqual(
    down.best.map((b) => b[2]),
    [0.5, 0.3],
    'a smaller-is-better metric keeps the minimum',
  );
  const pruned = harness();
  await pruned.finish(finishing({ status: 'pruned' }));
  assert.deepEqual(pruned.best, [], 'a pruned trial is no best');
});
