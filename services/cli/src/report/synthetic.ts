import { meanCi, nonDominatedMask } from '@foldwise/compare';
import { searchSpecSchema, type ComparisonResult, type MetricSummary } from '@foldwise/spec';
import type { ReportData, ReportFold, ReportTrial } from './data';

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Corrected t intervals on the logit scale of [0, 1], as the engine summarises accuracy and F-scores of 5 folds. */
const summarize = (xs: number[]): MetricSummary => {
  const ci = meanCi(xs, { testTrainRatio: 0.25, range: { low: 0, high: 1 } });
  return { mean: ci.mean, std: ci.std, ci95: [ci.low, ci.high], ciMethod: ci.method, n: xs.length };
};

/**
 * A deterministic, plausible search result for tests and previews: two model families, `nTrials` configurations
 * (one of them pruned), five folds with curves and 3-class confusion matrices, a comparison of the top five, and a
 * Pareto front of accuracy against a made-up prediction latency;
 * `lift` raises every configuration's accuracy (near 1, intervals meet the bound).
 */
export function syntheticReportData(
  opts: { nTrials?: number; seed?: number; lift?: number } = {},
): ReportData {
  const nTrials = opts.nTrials ?? 9;
  const rand = mulberry32(opts.seed ?? 1);
  const nFolds = 5;
  const searchId = 'search-synthetic-0001';
  const spec = searchSpecSchema.parse({
    name: 'synthetic',
    description: 'A synthetic search used to test the report.',
    dataset: { builtin: 'iris' },
    metrics: { primary: 'accuracy', report: ['f1_macro'] },
    models: [
      { family: 'logistic', space: { learningRate: { type: 'logUniform', low: 0.001, high: 0.3 } } },
      {
        family: 'mlp',
        space: {
          units: { type: 'choice', values: [8, 16, 32] },
          learningRate: { type: 'logUniform', low: 0.001, high: 0.3 },
        },
      },
    ],
    budget: { trials: nTrials },
    objectives: [{ metric: 'accuracy' }, { metric: 'predict_ms_per_1k' }],
    seed: 3,
  });
  const trials: ReportTrial[] = [];
  const folds: ReportFold[] = [];
  for (let i = 0; i < nTrials; i++) {
    const model = i % 2 === 0 ? 'logistic' : 'mlp';
    const learningRate = 10 ** (-3 + 2.5 * rand());
    const params: Record<string, unknown> =
      model === 'mlp' ? { units: [8, 16, 32][i % 3], learningRate } : { learningRate };
    const quality =
      0.8 +
      (opts.lift ?? 0) +
      0.15 * (1 - Math.abs(Math.log10(learningRate) + 1.5) / 1.5) +
      (model === 'mlp' ? 0.02 : 0);
    const trialId = `${searchId}:${i}`;
    const pruned = i === nTrials - 1;
    const done = pruned ? 2 : nFolds;
    const acc: number[] = [];
    const f1: number[] = [];
    for (let f = 0; f < done; f++) {
      const a = Math.min(1, Math.max(0.3, quality + 0.04 * (rand() - 0.5) - 0.01 * f));
      acc.push(a);
      f1.push(a - 0.01 * rand());
      const curve = Array.from({ length: 10 }, (_, e) => ({
        epoch: e + 1,
        trainLoss: 1.1 * Math.exp(-0.3 * e),
        valLoss: 1.15 * Math.exp(-0.25 * e) + 0.02,
        valScore: a - (a - 0.34) * Math.exp(-0.5 * e),
      }));
      const perClass = 10;
      const correct = Math.round(a * perClass);
      const cm = [0, 1, 2].map((r) =>
        [0, 1, 2].map((c) => (r === c ? correct : c === (r + 1) % 3 ? perClass - correct : 0)),
      );
      folds.push({
        trialId,
        trialIndex: i,
        fold: f,
        model,
        status: 'completed',
        metrics: { accuracy: a, f1_macro: f1[f] as number },
        curve,
        confusionMatrix: cm,
      });
    }
    trials.push({
      trialId,
      trialIndex: i,
      model,
      params,
      status: pruned ? 'pruned' : 'completed',
      folds: done,
      metrics: pruned ? {} : { accuracy: summarize(acc), f1_macro: summarize(f1) },
    });
  }
  const top = trials
    .filter((t) => t.status === 'completed')
    .sort((a, b) => (b.metrics['accuracy']?.mean ?? 0) - (a.metrics['accuracy']?.mean ?? 0))
    .slice(0, 5);
  const best = top[0] as ReportTrial;
  const comparison: ComparisonResult = {
    metric: 'accuracy',
    greaterIsBetter: true,
    candidates: top.map((t) => ({
      trialId: t.trialId,
      trialIndex: t.trialIndex,
      model: t.model,
      mean: t.metrics['accuracy']?.mean ?? 0,
      ci95: t.metrics['accuracy']?.ci95 ?? [0, 0],
      ciMethod: t.metrics['accuracy']?.ciMethod,
    })),
    holm: 'all-pairs',
    pairwise: top.slice(1).map((t, j) => ({
      a: best.trialId,
      b: t.trialId,
      meanDiff: (best.metrics['accuracy']?.mean ?? 0) - (t.metrics['accuracy']?.mean ?? 0),
      correctedT: { statistic: 2 + j, pValue: 0.04 / (j + 1), pHolm: Math.min(1, 0.16 / (j + 1)) },
      wilcoxon: { statistic: 1, pValue: 0.0625, pHolm: 0.25 },
      bayesian: { pA: 0.5 + 0.1 * j, pRope: 0.4 - 0.1 * j, pB: 0.1 },
    })),
    friedman: {
      statistic: 9.2,
      pValue: 0.056,
      averageRanks: top.map((_, j) => 1.4 + 0.8 * j),
      criticalDifference: 2.73,
    },
    families: (['logistic', 'mlp'] as const).map((model) => {
      const own = trials
        .filter((t) => t.model === model && t.status === 'completed')
        .sort((a, b) => (b.metrics['accuracy']?.mean ?? 0) - (a.metrics['accuracy']?.mean ?? 0));
      const first = own[0] as ReportTrial;
      const acc = first.metrics['accuracy'] as MetricSummary;
      return {
        model,
        trialId: first.trialId,
        candidates: own.length,
        mean: acc.mean,
        ci95: acc.ci95 ?? undefined,
        ciMethod: acc.ciMethod,
        vsWinner:
          model === best.model
            ? undefined
            : {
                meanDiff: (best.metrics['accuracy']?.mean ?? 0) - acc.mean,
                correctedT: { statistic: 2.1, pValue: 0.1, pHolm: 0.1 },
                bayesian: { pA: 0.7, pRope: 0.2, pB: 0.1 },
              },
      };
    }),
    verdict: `${best.trialId} has the best mean; it is not significantly better than the others (Holm-corrected over all pairs, alpha=0.05).`,
    winner: best.trialId,
  };
  const s = best.metrics['accuracy'] as MetricSummary;
  const complete = trials.filter((t) => t.status === 'completed');
  const points = complete.map((t) => {
    const acc = t.metrics['accuracy']?.mean ?? 0;
    return [acc, 2 + Number(t.params['units'] ?? 4) * 0.5 + 20 * acc];
  });
  const onFront = nonDominatedMask(points.map(([a, ms]) => [a as number, -(ms as number)]));
  const pareto = complete
    .map((t, i) => ({
      trialId: t.trialId,
      trialIndex: t.trialIndex,
      model: t.model,
      params: t.params,
      objectives: points[i] as number[],
      onFront: onFront[i] as boolean,
      pNonDominated: onFront[i] ? 0.6 + 0.4 * rand() : 0.3 * rand(),
    }))
    .sort((a, b) => Number(b.onFront) - Number(a.onFront) || b.pNonDominated - a.pNonDominated);
  return {
    searchId,
    spec,
    status: 'completed',
    primary: { name: 'accuracy', greaterIsBetter: true },
    classes: ['setosa', 'versicolor', 'virginica'],
    nSamples: 150,
    nHeldOut: 0,
    best: {
      trialId: best.trialId,
      model: best.model,
      params: best.params,
      metric: 'accuracy',
      score: s.mean,
      ci95: s.ci95,
      ciMethod: s.ciMethod,
    },
    comparison,
    pareto,
    trials,
    folds,
    generatedAt: '2026-01-01T00:00:00.000Z',
  };
}
