import { meanCi } from '@foldwise/compare';
import { scorerRange } from '@foldwise/metrics';
import type { MetricSummary } from '@foldwise/spec';

/** What aggregation needs of one completed fold: its scores. */
export interface FoldScores {
  metrics: Record<string, number>;
}

/**
 * Per-metric mean, sample standard deviation (ddof = 1) and 95 % interval over completed folds: the Nadeau–Bengio
 * corrected t interval when `testTrainRatio` is given, the plain t interval otherwise, formed on the logit (or log)
 * scale for a scorer with a bounded range so it stays inside that range (`ciMethod` names which). Metrics in name
 * order.
 */
export function summarizeFolds(
  folds: readonly FoldScores[],
  opts: { testTrainRatio?: number | undefined } = {},
): Record<string, MetricSummary> {
  const byMetric = new Map<string, number[]>();
  for (const fold of folds) {
    for (const [name, value] of Object.entries(fold.metrics)) {
      const values = byMetric.get(name) ?? [];
      values.push(value);
      byMetric.set(name, values);
    }
  }
  const out: Record<string, MetricSummary> = {};
  for (const [name, values] of [...byMetric].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (values.length < 2) {
      out[name] = { mean: values[0] ?? Number.NaN, std: null, ci95: null, n: values.length };
      continue;
    }
    const range = scorerRange(name);
    const ci = meanCi(values, {
      ...(opts.testTrainRatio === undefined ? {} : { testTrainRatio: opts.testTrainRatio }),
      ...(range === undefined ? {} : { range }),
    });
    out[name] = {
      mean: ci.mean,
      std: ci.std,
      ci95: [ci.low, ci.high],
      ciMethod: ci.method,
      n: values.length,
    };
  }
  return out;
}
