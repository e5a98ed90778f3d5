// Objectives, constraints and the Pareto front of a multi-objective search: pure, seeded, run inside the workflow.
import { paretoFront } from '@foldwise/compare';
import { metricInfo } from '@foldwise/metrics';
import type { ParetoEntry, SearchSpec, TrialSummary } from '@foldwise/spec';

/** An objective with its direction resolved (the spec's, else the metric's own). */
export interface ResolvedObjective {
  metric: string;
  greaterIsBetter: boolean;
}

/** The spec's objectives with their directions; empty for a single-objective spec. */
export function resolveObjectives(spec: Pick<SearchSpec, 'objectives'>): ResolvedObjective[] {
  return (spec.objectives ?? []).map((o) => ({
    metric: o.metric,
    greaterIsBetter:
      o.direction === undefined
        ? (metricInfo(o.metric)?.greaterIsBetter ?? true)
        : o.direction === 'maximize',
  }));
}

/** Metrics a multi-objective search needs recorded on every fold besides `metrics`: its objectives and constraints. */
export function extraMetrics(
  spec: Pick<SearchSpec, 'objectives' | 'constraints'>,
  metrics: readonly string[],
): string[] {
  const names = [...(spec.objectives ?? []), ...(spec.constraints ?? [])].map((o) => o.metric);
  return [...new Set(names)].filter((m) => !metrics.includes(m));
}

/**
 * How far a trial's fold means break the spec's constraints, summed over constraints (as Optuna sums its constraint
 * values): `mean - max` above a maximum, `min - mean` below a minimum; a metric the trial lacks counts 1.
 */
export function constraintViolation(
  constraints: SearchSpec['constraints'],
  metrics: TrialSummary['metrics'],
): number {
  let total = 0;
  for (const c of constraints ?? []) {
    const mean = metrics[c.metric]?.mean;
    if (mean === undefined || !Number.isFinite(mean)) {
      total += 1;
      continue;
    }
    if (c.max !== undefined && mean > c.max) total += mean - c.max;
    if (c.min !== undefined && mean < c.min) total += c.min - mean;
  }
  return total;
}

/** Bootstrap resamples for the front: 1,000, fewer for very large fronts so the workflow task stays short. */
export function paretoResamples(candidates: number, objectives: number, folds: number): number {
  const work = Math.max(1, candidates * objectives * folds);
  return Math.max(100, Math.min(1000, Math.floor(2e7 / work)));
}

/**
 * Every candidate with each objective on every fold (complete, feasible configurations, as the caller chose them), its
 * objective means, whether it is on the Pareto front, and its share of fold bootstrap resamples (seeded by `seed`) in
 * which it is non-dominated: front first, then by that share, then by trial index.
 */
export function paretoEntries(
  trials: readonly TrialSummary[],
  objectives: readonly ResolvedObjective[],
  seed: number,
): ParetoEntry[] {
  const usable = trials.filter((t) =>
    objectives.every((o) => {
      const v = t.foldMetrics?.[o.metric];
      return v !== undefined && v.length > 0 && v.every((x) => x !== null && Number.isFinite(x));
    }),
  );
  const nFolds = usable[0]?.foldMetrics?.[objectives[0]?.metric ?? '']?.length ?? 0;
  const candidates = usable
    .filter((t) => objectives.every((o) => t.foldMetrics?.[o.metric]?.length === nFolds))
    .map((t) => ({
      trial: t,
      values: objectives.map((o) =>
        (t.foldMetrics?.[o.metric] as number[]).map((x) => (o.greaterIsBetter ? x : -x)),
      ),
    }));
  if (candidates.length === 0) return [];
  const front = paretoFront(candidates, {
    seed,
    resamples: paretoResamples(candidates.length, objectives.length, nFolds),
  });
  return candidates
    .map(({ trial }, i) => ({
      trialId: trial.trialId,
      trialIndex: trial.trialIndex,
      model: trial.model,
      params: trial.params,
      objectives: (front.means[i] as number[]).map((m, k) => (objectives[k]?.greaterIsBetter ? m : -m)),
      onFront: front.onFront[i] as boolean,
      pNonDominated: front.pNonDominated[i] as number,
    }))
    .sort(
      (a, b) =>
        Number(b.onFront) - Number(a.onFront) ||
        b.pNonDominated - a.pNonDominated ||
        a.trialIndex - b.trialIndex,
    );
}
