import { CostMetric, getScorer, isCostMetric } from '@foldwise/metrics';
import { stableHash } from '@foldwise/selection';
import {
  FailureType,
  autoRepeatsMax,
  type ComparisonResult,
  type ParetoEntry,
  type RefitResult,
  type ResolvedDataset,
  type SearchCounts,
  type SearchDoc,
  type SearchPlan,
  type SearchResult,
  type SearchSpec,
} from '@foldwise/spec';
import type { BestScoreTracker } from './best';
import { planFolds } from './plan';
import type { ActivityDeps } from './ports';
import { loadData, nonRetryable, now } from './shared';

/** The stored counters of a search from the workflow's own tally. */
function toSearchCounts(c: SearchResult['counts'] | undefined): SearchCounts {
  return {
    trials: c?.trials ?? 0,
    trialsCompleted: c?.completed ?? 0,
    trialsPruned: c?.pruned ?? 0,
    trialsFailed: c?.failed ?? 0,
    folds: (c?.foldsRun ?? 0) + (c?.foldsSkipped ?? 0),
    foldsCompleted: c?.foldsRun ?? 0,
  };
}

type SearchDeps = Pick<ActivityDeps, 'store' | 'events' | 'telemetry' | 'data'>;

/** The search role: fixes a search's plan and records it, and records how the search ended. */
export const createSearchActivities = (deps: SearchDeps, best: BestScoreTracker) => {
  const { store, events, telemetry } = deps;
  return {
    /** Loads the data once, checks the folds are possible, fixes the plan and records the search with it. */
    async prepareSearch(input: {
      searchId: string;
      spec: SearchSpec;
      dataset: ResolvedDataset;
    }): Promise<SearchPlan> {
      const { searchId, spec } = input;
      const ds = await loadData(deps.data, input.dataset);
      const task = spec.task ?? ds.task;
      if (task !== ds.task)
        throw nonRetryable(
          FailureType.InvalidSpec,
          `task: the spec says ${task} but the dataset is a ${ds.task} dataset`,
        );
      let primary;
      try {
        primary = getScorer(spec.metrics.primary);
        for (const m of spec.metrics.report) if (!isCostMetric(m)) getScorer(m);
      } catch (err) {
        throw nonRetryable(FailureType.InvalidSpec, `metrics: ${(err as Error).message}`);
      }
      const named = [
        ...(spec.objectives ?? []).map((o, i) => ({ path: `objectives[${i}].metric`, metric: o.metric })),
        ...(spec.constraints ?? []).map((c, i) => ({ path: `constraints[${i}].metric`, metric: c.metric })),
      ];
      for (const { path, metric } of named) {
        if (isCostMetric(metric)) continue;
        let scorer;
        try {
          scorer = getScorer(metric);
        } catch (err) {
          throw nonRetryable(
            FailureType.InvalidSpec,
            `${path}: ${(err as Error).message} (or a cost metric: ${Object.values(CostMetric).join(', ')})`,
          );
        }
        if (scorer.task !== task)
          throw nonRetryable(
            FailureType.InvalidSpec,
            `${path}: ${metric} is a ${scorer.task} metric but the task is ${task}`,
          );
      }
      if (primary.task !== task) {
        throw nonRetryable(
          FailureType.InvalidSpec,
          `metrics.primary: ${primary.name} is a ${primary.task} metric but the task is ${task}`,
        );
      }
      let plan;
      try {
        plan = planFolds(ds, spec.cv, spec.seed);
      } catch (err) {
        throw nonRetryable(FailureType.InvalidData, `cv: ${(err as Error).message}`);
      }
      const onDemand = autoRepeatsMax(spec.cv);
      const searchPlan: SearchPlan = {
        datasetHash: ds.hash,
        task,
        nSamples: plan.pool.length,
        nFeatures: ds.nFeatures,
        nClasses: ds.classes?.length ?? 0,
        classes: ds.classes ?? [],
        imageShape: ds.imageShape,
        nFolds: onDemand === undefined ? plan.folds.length : spec.cv.k,
        ...(onDemand === undefined ? {} : { repeats: { k: spec.cv.k, max: onDemand } }),
        planHash: plan.hash,
        nHeldOut: plan.holdout.length + (ds.heldOut?.nSamples ?? 0),
        testTrainRatio: plan.testTrainRatio,
        primary: { name: primary.name, greaterIsBetter: primary.greaterIsBetter },
      };
      await store.createSearch({
        _id: searchId,
        name: spec.name,
        spec: spec as unknown as Record<string, unknown>,
        specHash: stableHash(spec),
        datasetHash: ds.hash,
        plan: searchPlan,
      });
      events.publish({
        kind: 'started',
        searchId,
        ts: now(),
        payload: {
          name: spec.name,
          models: spec.models.map((m) => m.family),
          plannedTrials: spec.budget.trials,
          foldsPerTrial: plan.folds.length,
        },
      });
      return searchPlan;
    },

    /** Records the final state of a search (one update) and publishes `completed`, `cancelled` or `failed`. */
    async finishSearch(input: {
      searchId: string;
      status: 'completed' | 'cancelled' | 'failed';
      best: SearchResult['best'];
      counts: SearchResult['counts'] | undefined;
      comparison?: ComparisonResult | undefined;
      /** Multi-objective searches: the Pareto front and the other feasible configurations. */
      pareto?: ParetoEntry[] | undefined;
      refit?: RefitResult | undefined;
      error?: string | undefined;
    }): Promise<void> {
      await store.updateSearch(input.searchId, {
        status: input.status,
        counts: toSearchCounts(input.counts),
        ...(input.best ? { best: input.best } : {}),
        ...(input.comparison ? { comparison: input.comparison } : {}),
        ...(input.pareto ? { pareto: input.pareto } : {}),
        ...(input.refit ? { refit: { ...input.refit } as SearchDoc['refit'] } : {}),
        ...(input.error !== undefined ? { error: input.error } : {}),
        finishedAt: now(),
      });
      if (input.best) telemetry.bestScore(input.searchId, input.best.metric, input.best.score);
      best.forget(input.searchId);
      if (input.status === 'completed') {
        events.publish({
          kind: 'completed',
          searchId: input.searchId,
          ts: now(),
          payload: {
            counts: toSearchCounts(input.counts),
            ...(input.best ? { best: input.best as never } : {}),
          },
        });
      } else {
        events.publish({
          kind: 'failed',
          searchId: input.searchId,
          ts: now(),
          payload: {
            error: input.error ?? input.status,
            ...(input.status === 'cancelled' ? { cancelled: true } : {}),
          },
        });
      }
    },
  };
};
