import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from './activities';
import type { ActivityDeps } from './ports';

/** Activities over fakes that record what finishTrial and finishSearch tell telemetry. */
function harness(means: number[]) {
  const best: [string, string, number][] = [];
  let k = 0;
  const deps = {
    store: {
      finishTrial: async () => ({
        model: 'mlp',
        params: {},
        metrics: { accuracy: { mean: means[k++], std: 0, ci95: [0, 0], n: 5 } },
        epochsTrained: 3,
      }),
      updateSearch: async () => undefined,
    },
    events: { publish: () => undefined },
    telemetry: {
      trialFinished: () => undefined,
      bestScore: (s: string, m: string, v: number) => void best.push([s, m, v]),
    },
  } as unknown as ActivityDeps;
  return { acts: createActivities(deps), best };
}

type FinishTrial = Parameters<ReturnType<typeof createActivities>['finishTrial']>[0];

const finish = (
  searchId: string,
  trialIndex: number,
  greaterIsBetter: boolean,
  status: FinishTrial['status'] = 'completed',
): FinishTrial => ({
  searchId,
  trialIndex,
  status,
  foldsSkipped: [],
  prunedBy: undefined,
  error: undefined,
  primary: { name: 'accuracy', greaterIsBetter },
});

test('each completed trial that beats the best so far moves foldwise_search_best_score, in the metric direction', async () => {
  const env = new MockActivityEnvironment();
  const up = harness([0.8, 0.7, 0.9, 0.85]);
  for (let i = 0; i < 4; i++) await env.run(up.acts.finishTrial, finish('s', i, true));
  assert.deepEqual(up.best, [
    ['s', 'accuracy', 0.8],
    ['s', 'accuracy', 0.9],
  ]);

  const down = harness([0.5, 0.3, 0.4]);
  for (let i = 0; i < 3; i++) await env.run(down.acts.finishTrial, finish('t', i, false));
  assert.deepEqual(
    down.best.map((b) => b[2]),
    [0.5, 0.3],
    'a smaller-is-better metric keeps the minimum',
  );

  const pruned = harness([0.99]);
  await env.run(pruned.acts.finishTrial, finish('u', 0, true, 'pruned'));
  assert.deepEqual(pruned.best, [], 'a pruned trial is no best');
});
