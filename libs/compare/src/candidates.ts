import { bayesianCorrelatedTTest } from './bayes';
import { holm } from './adjust';
import { meanCi } from './ci';
import { friedmanTest, nemenyi } from './friedman';
import { correctedResampledTTest, wilcoxonSignedRank } from './paired';

/** A configuration's primary score on each shared fold (null where the fold did not run). */
export interface Candidate {
  trialId: string;
  trialIndex: number;
  model: string;
  foldScores: (number | null)[];
  status?: string;
}

/** What to compare and how. */
export interface CandidateComparisonOptions {
  topK: number;
  tests: readonly ('corrected-t' | 'wilcoxon' | 'friedman' | 'bayesian')[];
  alpha: number;
  rope: number;
}

/** The comparison of the best candidates: who wins, by how much, and the evidence. */
export interface CandidateComparison {
  metric: string;
  greaterIsBetter: boolean;
  candidates: { trialId: string; trialIndex: number; model: string; mean: number; ci95: [number, number] }[];
  pairwise: {
    a: string;
    b: string;
    meanDiff: number;
    correctedT?: { statistic: number; pValue: number; pHolm: number } | undefined;
    wilcoxon?: { statistic: number; pValue: number; pHolm: number } | undefined;
    bayesian?: { pA: number; pRope: number; pB: number } | undefined;
  }[];
  friedman?:
    { statistic: number; pValue: number; averageRanks: number[]; criticalDifference: number } | undefined;
  verdict: string;
  winner: string;
}

/** Orders complete candidates (every fold scored) best first by mean score; ties by trial index. */
export function rankCandidates<T extends Candidate>(trials: T[], greaterIsBetter: boolean): T[] {
  const mean = (t: T) => {
    const xs = t.foldScores.filter((x): x is number => x !== null);
    return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  return trials
    .filter(
      (t) => (t.status === undefined || t.status === 'completed') && t.foldScores.every((x) => x !== null),
    )
    .sort((a, b) => {
      const d = greaterIsBetter ? mean(b) - mean(a) : mean(a) - mean(b);
      return d !== 0 && !Number.isNaN(d) ? d : a.trialIndex - b.trialIndex;
    });
}

/** Compares the top K ranked candidates on their shared folds and states which is best, with what evidence. */
export function compareTopK(
  ranked: Candidate[],
  spec: CandidateComparisonOptions,
  metric: string,
  greaterIsBetter: boolean,
  testTrainRatio: number,
): CandidateComparison | undefined {
  const top = ranked.slice(0, spec.topK);
  const best = top[0];
  if (!best) return undefined;
  const sign = greaterIsBetter ? 1 : -1;
  const scores = (t: Candidate) => t.foldScores.map((x) => sign * (x as number));
  const candidates = top.map((t) => {
    const ci = meanCi(t.foldScores as number[], { testTrainRatio });
    return {
      trialId: t.trialId,
      trialIndex: t.trialIndex,
      model: t.model,
      mean: ci.mean,
      ci95: [ci.low, ci.high] as [number, number],
    };
  });
  const others = top.slice(1);
  const raw = others.map((o) => {
    const a = scores(best);
    const b = scores(o);
    const diffs = a.map((x, i) => x - (b[i] as number));
    const allZero = diffs.every((d) => d === 0);
    return {
      a: best.trialId,
      b: o.trialId,
      meanDiff: (sign * diffs.reduce((s, d) => s + d, 0)) / diffs.length,
      t:
        spec.tests.includes('corrected-t') && !allZero
          ? correctedResampledTTest(a, b, { testTrainRatio })
          : undefined,
      w: spec.tests.includes('wilcoxon') && !allZero ? wilcoxonSignedRank(a, b) : undefined,
      bayes:
        spec.tests.includes('bayesian') && !allZero
          ? bayesianCorrelatedTTest(a, b, { rope: spec.rope, testTrainRatio })
          : undefined,
    };
  });
  const holmOf = (ps: (number | undefined)[]) => {
    const present = ps.map((p) => p ?? 1);
    return present.length > 0 ? holm(present, spec.alpha).adjusted : [];
  };
  const tHolm = holmOf(raw.map((r) => r.t?.pValue));
  const wHolm = holmOf(raw.map((r) => r.w?.pValue));
  const pairwise = raw.map((r, i) => ({
    a: r.a,
    b: r.b,
    meanDiff: r.meanDiff,
    correctedT: r.t ? { statistic: r.t.statistic, pValue: r.t.pValue, pHolm: tHolm[i] as number } : undefined,
    wilcoxon: r.w ? { statistic: r.w.statistic, pValue: r.w.pValue, pHolm: wHolm[i] as number } : undefined,
    bayesian: r.bayes ? { pA: r.bayes.pRight, pRope: r.bayes.pRope, pB: r.bayes.pLeft } : undefined,
  }));
  let friedman: CandidateComparison['friedman'];
  if (spec.tests.includes('friedman') && top.length >= 3) {
    const nFolds = best.foldScores.length;
    const matrix = Array.from({ length: nFolds }, (_, f) =>
      top.map((t) => sign * (t.foldScores[f] as number)),
    );
    const fr = friedmanTest(matrix);
    const ne = nemenyi(matrix, { alpha: spec.alpha >= 0.075 ? 0.1 : 0.05 });
    friedman = {
      statistic: fr.statistic,
      pValue: fr.pValue,
      averageRanks: ne.averageRanks,
      criticalDifference: ne.criticalDifference,
    };
  }
  return {
    metric,
    greaterIsBetter,
    candidates,
    pairwise,
    friedman,
    verdict: verdictOf(best.trialId, pairwise, spec.alpha),
    winner: best.trialId,
  };
}

function verdictOf(winner: string, pairwise: CandidateComparison['pairwise'], alpha: number): string {
  if (pairwise.length === 0) return `${winner} is the only candidate with complete folds.`;
  const beaten = pairwise.filter((p) => (p.correctedT?.pHolm ?? p.wilcoxon?.pHolm ?? 1) < alpha).length;
  const equivalent = pairwise.filter((p) => (p.bayesian?.pRope ?? 0) > 0.95).length;
  if (beaten === pairwise.length) {
    return `${winner} is best: significantly better than all ${pairwise.length} other candidates (Holm-corrected, alpha=${alpha}).`;
  }
  return (
    `${winner} has the best mean; it is significantly better than ${beaten} of ${pairwise.length} other candidates ` +
    `(Holm-corrected, alpha=${alpha})` +
    (equivalent > 0
      ? ` and practically equivalent (P(rope) > 0.95) to ${equivalent}.`
      : '; the rest are not distinguishable on these folds.')
  );
}
