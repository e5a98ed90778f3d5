import { HolmFamily, compareTopK, rankCandidates } from '@foldwise/compare';
import { scorerRange } from '@foldwise/metrics';
import type { ComparisonResult, FoldDoc, TrialDoc } from '@foldwise/spec';

/** Options of `SearchHandle.compare`. */
export interface CompareOptions {
  topK?: number;
  tests?: ('corrected-t' | 'wilcoxon' | 'friedman' | 'bayesian')[];
  alpha?: number;
  rope?: number;
}

/**
 * Recomputes the end-of-search comparison from stored trials and folds (same code as the workflow): intervals kept
 * inside the metric's range, Holm over every pair of the top K, and each listed family's best compared.
 */
export function compareTrials(
  trials: TrialDoc[],
  folds: FoldDoc[],
  opts: Required<CompareOptions> & {
    metric: string;
    greaterIsBetter: boolean;
    testTrainRatio: number;
    /** Model families the spec lists (default: those that have trials). */
    families?: string[];
  },
): ComparisonResult | undefined {
  const byTrial = new Map<string, FoldDoc[]>();
  for (const f of folds) {
    if (f.status !== 'completed') continue;
    const list = byTrial.get(f.trialId) ?? [];
    list.push(f);
    byTrial.set(f.trialId, list);
  }
  // Each trial over its own folds: with repeats on demand the top candidates have more, and pairs are compared on
  // the folds they share.
  const candidates = trials
    .filter((t) => t.status === 'completed')
    .map((t) => {
      const scores: (number | null)[] = Array.from({ length: t.foldCount }, () => null);
      for (const f of byTrial.get(t._id) ?? []) scores[f.fold] = f.metrics[opts.metric] ?? null;
      return { trialId: t._id, trialIndex: t.trialIndex, model: t.model, foldScores: scores };
    });
  return compareTopK(
    rankCandidates(candidates, opts.greaterIsBetter),
    opts,
    opts.metric,
    opts.greaterIsBetter,
    opts.testTrainRatio,
    {
      range: scorerRange(opts.metric),
      holm: HolmFamily.AllPairs,
      correctedRankTests: true,
      families: opts.families ?? [...new Set(trials.map((t) => t.model))],
    },
  );
}
