import { summarizeFolds } from '@foldwise/activities';
import type { FoldwiseClient } from '@foldwise/sdk';
import type { ComparisonResult, ParetoEntry, SearchPlan, SearchResult, SearchSpec } from '@foldwise/spec';
import type { ReportData } from './data';

/**
 * Gathers a search's report data from MongoDB (spec, plan, trials, folds, comparison) and, when the workflow has
 * finished, from its result; works for a running search too (the report then shows what is done). Trials recorded
 * before intervals were kept inside the metric's range get their summaries recomputed from their fold documents.
 */
export async function collectReportData(
  client: FoldwiseClient,
  searchId: string,
  now: Date = new Date(),
): Promise<ReportData> {
  const doc = await client.store.searches.get(searchId);
  if (!doc) throw new Error(`search ${searchId}: not found in MongoDB`);
  const spec = doc.spec as unknown as SearchSpec;
  const plan = doc.plan as Partial<SearchPlan> | undefined;
  let result: SearchResult | undefined;
  try {
    const described = await client.temporal.workflow.getHandle(searchId).describe();
    if (described.status.name === 'COMPLETED') result = await client.get(searchId).result();
  } catch {
    result = undefined;
  }
  const [trials, folds] = await Promise.all([
    client.store.trials.forSearch(searchId),
    client.store.folds.forSearch(searchId),
  ]);
  const comparison = result?.comparison ?? (doc.comparison as ComparisonResult | undefined);
  const refit = result?.refit ?? doc.refit;
  return {
    searchId,
    spec,
    status: result?.status ?? doc.status,
    primary: plan?.primary ?? {
      name: spec.metrics.primary,
      greaterIsBetter: comparison?.greaterIsBetter ?? !spec.metrics.primary.startsWith('neg_'),
    },
    classes: plan?.classes,
    task: plan?.task,
    nSamples: plan?.nSamples,
    nHeldOut: plan?.nHeldOut,
    best: result?.best ?? doc.best,
    comparison,
    pareto: result?.pareto ?? (doc.pareto as ParetoEntry[] | undefined),
    refit: refit
      ? {
          trialId: refit.trialId,
          testMetrics: refit.testMetrics,
          ...(typeof refit['nTrain'] === 'number' ? { nTrain: refit['nTrain'] } : {}),
          ...(typeof refit['nTest'] === 'number' ? { nTest: refit['nTest'] } : {}),
        }
      : undefined,
    trials: trials.map((t) => {
      const legacy = Object.values(t.metrics).some((v) => v.ci95 !== null && v.ciMethod === undefined);
      const own = legacy
        ? folds
            .filter((f) => f.trialId === t._id && f.status === 'completed')
            .map((f) => ({ metrics: f.metrics }))
        : [];
      return {
        trialId: t._id,
        trialIndex: t.trialIndex,
        model: t.model,
        params: t.params,
        status: t.status,
        folds: t.foldsCompleted,
        metrics:
          own.length === t.foldsCompleted && own.length > 0
            ? summarizeFolds(own, { testTrainRatio: plan?.testTrainRatio })
            : t.metrics,
      };
    }),
    folds: folds.map((f) => ({
      trialId: f.trialId,
      trialIndex: f.trialIndex,
      fold: f.fold,
      model: f.model,
      status: f.status,
      metrics: f.metrics,
      curve: f.curve,
      confusionMatrix: f.confusionMatrix,
    })),
    generatedAt: now.toISOString(),
  };
}
