import { bayesianCorrelatedTTest } from './bayes';
import { holm } from './adjust';
import { meanCi, type MetricRange } from './ci';
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

/** Which p-values Holm's correction runs over. */
export const HolmFamily = {
  /** The winner's K − 1 comparisons only: the winner is chosen as the best mean, so this is optimistic. */
  Winner: 'winner',
  /** Every pair of the top K: holds the family-wise error whichever candidate ends up the winner. */
  AllPairs: 'all-pairs',
} as const;
/** One of the values of {@link HolmFamily}. */
export type HolmFamily = (typeof HolmFamily)[keyof typeof HolmFamily];

/** Options beyond the spec's `comparison` block, set by the engine. */
export interface ComparisonExtras {
  /** Range of the metric: candidates' intervals stay inside it (see `meanCi`). */
  range?: MetricRange | undefined;
  /** Which p-values Holm's correction runs over; default {@link HolmFamily.Winner} (the behaviour before it existed). */
  holm?: HolmFamily | undefined;
  /**
   * Every model family the user listed: each family's best complete candidate is named, and the winner's family is
   * compared with every other family's best on the shared folds (the verdict says how the families compare).
   */
  families?: readonly string[] | undefined;
  /**
   * Correct the Wilcoxon and Friedman tests for correlated folds as the corrected t-test is (their variance inflated
   * by 1 + n · testTrainRatio): without it both call equal candidates different too often when folds correlate.
   */
  correctedRankTests?: boolean | undefined;
}

/** The best configuration of one model family, and how it compares with the winner. */
export interface FamilyBest {
  model: string;
  /** The family's best complete candidate; null when none of its configurations completed every fold. */
  trialId: string | null;
  /** Complete candidates of the family (configurations that scored every fold). */
  candidates: number;
  mean?: number | undefined;
  ci95?: [number, number] | undefined;
  ciMethod?: string | undefined;
  /** The winner's family against this one (absent for the winner's own family and for a family without a candidate). */
  vsWinner?:
    | {
        meanDiff: number;
        correctedT?: { statistic: number; pValue: number; pHolm: number } | undefined;
        wilcoxon?: { statistic: number; pValue: number; pHolm: number } | undefined;
        bayesian?: { pA: number; pRope: number; pB: number } | undefined;
      }
    | undefined;
}

/** The comparison of the best candidates: who wins, by how much, and the evidence. */
export interface CandidateComparison {
  metric: string;
  greaterIsBetter: boolean;
  candidates: {
    trialId: string;
    trialIndex: number;
    model: string;
    mean: number;
    ci95: [number, number];
    /** How `ci95` was computed (see `IntervalMethod`); absent in comparisons made before it was named. */
    ciMethod?: string | undefined;
  }[];
  /** Which p-values the Holm correction ran over; absent in comparisons made before it was chosen (winner's only). */
  holm?: HolmFamily | undefined;
  pairwise: {
    a: string;
    b: string;
    /** Folds the pair shares, when candidates have different numbers of folds (repeats on demand). */
    folds?: number | undefined;
    meanDiff: number;
    correctedT?: { statistic: number; pValue: number; pHolm: number } | undefined;
    wilcoxon?: { statistic: number; pValue: number; pHolm: number } | undefined;
    bayesian?: { pA: number; pRope: number; pB: number } | undefined;
  }[];
  friedman?:
    { statistic: number; pValue: number; averageRanks: number[]; criticalDifference: number } | undefined;
  /** The best of each model family the user listed, in the spec's order (absent when families were not given). */
  families?: FamilyBest[] | undefined;
  verdict: string;
  winner: string;
  /** Repeats on demand: how many repeats the verdict needed (absent when the spec did not ask for them). */
  repeats?: RepeatsRecord | undefined;
}

/** What repeats on demand did before the final verdict. */
export interface RepeatsRecord {
  /** Folds per repeat. */
  k: number;
  /** Most repeats the spec allowed. */
  max: number;
  /** Each added repeat in order: its number (2 = the first further repeat) and the candidates that ran it. */
  rounds: { repeat: number; trials: string[] }[];
  /** Repeats of k folds each top-K candidate's scores cover, by trial id. */
  perCandidate: Record<string, number>;
  /** Whether every pair with the winner was decided (significant or practically equivalent) when repeats stopped. */
  decided: boolean;
}

/** A verdict's pair against the winner is decided when its Holm p-value is below alpha or P(rope) exceeds 0.95. */
const decidedPair = (p: CandidateComparison['pairwise'][number], alpha: number): boolean => {
  const pHolm = p.correctedT?.pHolm ?? p.wilcoxon?.pHolm;
  const tested = p.correctedT !== undefined || p.wilcoxon !== undefined || p.bayesian !== undefined;
  return !tested || (pHolm !== undefined && pHolm < alpha) || (p.bayesian?.pRope ?? 0) > 0.95;
};

/**
 * Candidates the comparison leaves undecided against its winner: not significantly worse (Holm) and not practically
 * equivalent (Bayesian P(rope) ≤ 0.95). A pair no test was run on (identical scores) counts as decided.
 */
export function undecidedCandidates(comparison: CandidateComparison, alpha: number): string[] {
  return comparison.pairwise.filter((p) => !decidedPair(p, alpha)).map((p) => p.b);
}

/** The sentence that tells how many repeats a verdict needed. */
export function repeatsSentence(r: RepeatsRecord): string {
  const used = Math.max(1, ...Object.values(r.perCandidate));
  if (r.rounds.length === 0) {
    return r.decided
      ? `Decided on the first repeat of ${r.k} folds; no further repeat was needed (at most ${r.max}).`
      : `Undecided on the first repeat of ${r.k} folds; no further repeat could separate the candidates.`;
  }
  const who = r.rounds.reduce((n, x) => Math.max(n, x.trials.length), 0);
  return r.decided
    ? `Decided after ${used} repeats of ${r.k} folds (at most ${r.max}; up to ${who} candidates repeated).`
    : `Still undecided after ${used} repeats of ${r.k} folds, the most allowed (${r.max}; up to ${who} candidates repeated).`;
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

/** The paired tests of `a` against `b` (scores already oriented so that larger is better). */
function pairTests(
  a: number[],
  b: number[],
  spec: CandidateComparisonOptions,
  testTrainRatio: number,
  corrected: boolean,
  tests: { t: boolean; w: boolean; bayes: boolean } = {
    t: spec.tests.includes('corrected-t'),
    w: spec.tests.includes('wilcoxon'),
    bayes: spec.tests.includes('bayesian'),
  },
) {
  // Candidates that further repeats reached have more folds; a pair is compared on the folds both have (repeats
  // are added in order, so the shared folds are the first ones).
  const n = Math.min(a.length, b.length);
  if (a.length !== n) a = a.slice(0, n);
  if (b.length !== n) b = b.slice(0, n);
  const diffs = a.map((x, i) => x - (b[i] as number));
  const allZero = diffs.every((d) => d === 0);
  return {
    diff: diffs.reduce((s, d) => s + d, 0) / diffs.length,
    t: tests.t && !allZero ? correctedResampledTTest(a, b, { testTrainRatio }) : undefined,
    w: tests.w && !allZero ? wilcoxonSignedRank(a, b, corrected ? { testTrainRatio } : {}) : undefined,
    bayes:
      tests.bayes && !allZero
        ? bayesianCorrelatedTTest(a, b, { rope: spec.rope, testTrainRatio })
        : undefined,
  };
}

/**
 * Compares the top K ranked candidates on their shared folds and states which is best, with what evidence. With
 * `extras.holm = 'all-pairs'` the winner's p-values are Holm-adjusted within every pair of the top K, so the chance of
 * calling the winner "significantly better" than anyone when all K are equal stays at alpha although the winner was
 * picked as the best mean; with `extras.families` the verdict also names each family's best and compares them.
 */
export function compareTopK(
  ranked: Candidate[],
  spec: CandidateComparisonOptions,
  metric: string,
  greaterIsBetter: boolean,
  testTrainRatio: number,
  extras: ComparisonExtras = {},
): CandidateComparison | undefined {
  const top = ranked.slice(0, spec.topK);
  const best = top[0];
  if (!best) return undefined;
  const sign = greaterIsBetter ? 1 : -1;
  const corrected = extras.correctedRankTests === true;
  const scores = (t: Candidate) => t.foldScores.map((x) => sign * (x as number));
  const interval = (t: Candidate) =>
    meanCi(t.foldScores as number[], {
      testTrainRatio,
      ...(extras.range === undefined ? {} : { range: extras.range }),
    });
  const candidates = top.map((t) => {
    const ci = interval(t);
    return {
      trialId: t.trialId,
      trialIndex: t.trialIndex,
      model: t.model,
      mean: ci.mean,
      ci95: [ci.low, ci.high] as [number, number],
      ...(extras.range === undefined ? {} : { ciMethod: ci.method }),
    };
  });
  const others = top.slice(1);
  const raw = others.map((o) => {
    const r = pairTests(scores(best), scores(o), spec, testTrainRatio, corrected);
    const folds = Math.min(best.foldScores.length, o.foldScores.length);
    return { a: best.trialId, b: o.trialId, folds, meanDiff: sign * r.diff, t: r.t, w: r.w, bayes: r.bayes };
  });
  const holmOf = (ps: (number | undefined)[]) => {
    const present = ps.map((p) => p ?? 1);
    return present.length > 0 ? holm(present, spec.alpha).adjusted : [];
  };
  const allPairs = extras.holm === HolmFamily.AllPairs;
  /** p-values of every pair (i < j) of the top K after the winner's pairs, for the all-pairs correction. */
  const restPairs = (which: 't' | 'w'): (number | undefined)[] => {
    if (!allPairs || !spec.tests.includes(which === 't' ? 'corrected-t' : 'wilcoxon')) return [];
    const out: (number | undefined)[] = [];
    for (let i = 1; i < top.length; i++) {
      for (let j = i + 1; j < top.length; j++) {
        const r = pairTests(
          scores(top[i] as Candidate),
          scores(top[j] as Candidate),
          spec,
          testTrainRatio,
          corrected,
          {
            t: which === 't',
            w: which === 'w',
            bayes: false,
          },
        );
        out.push(which === 't' ? r.t?.pValue : r.w?.pValue);
      }
    }
    return out;
  };
  const tHolm = holmOf([...raw.map((r) => r.t?.pValue), ...restPairs('t')]);
  const wHolm = holmOf([...raw.map((r) => r.w?.pValue), ...restPairs('w')]);
  const unequal = top.some((t) => t.foldScores.length !== best.foldScores.length);
  const pairwise = raw.map((r, i) => ({
    a: r.a,
    b: r.b,
    ...(unequal ? { folds: r.folds } : {}),
    meanDiff: r.meanDiff,
    correctedT: r.t ? { statistic: r.t.statistic, pValue: r.t.pValue, pHolm: tHolm[i] as number } : undefined,
    wilcoxon: r.w ? { statistic: r.w.statistic, pValue: r.w.pValue, pHolm: wHolm[i] as number } : undefined,
    bayesian: r.bayes ? { pA: r.bayes.pRight, pRope: r.bayes.pRope, pB: r.bayes.pLeft } : undefined,
  }));
  let friedman: CandidateComparison['friedman'];
  if (spec.tests.includes('friedman') && top.length >= 3) {
    const nFolds = Math.min(...top.map((t) => t.foldScores.length));
    const matrix = Array.from({ length: nFolds }, (_, f) =>
      top.map((t) => sign * (t.foldScores[f] as number)),
    );
    const fr = friedmanTest(matrix, corrected ? { testTrainRatio } : {});
    const ne = nemenyi(matrix, { alpha: spec.alpha >= 0.075 ? 0.1 : 0.05 });
    friedman = {
      statistic: fr.statistic,
      pValue: fr.pValue,
      averageRanks: ne.averageRanks,
      criticalDifference: ne.criticalDifference,
    };
  }
  const families = extras.families
    ? familyBests(
        ranked,
        best,
        extras.families,
        spec,
        sign,
        testTrainRatio,
        interval,
        extras.range,
        corrected,
      )
    : undefined;
  const verdict = verdictOf(best.trialId, pairwise, spec.alpha, extras.holm ?? HolmFamily.Winner);
  return {
    metric,
    greaterIsBetter,
    candidates,
    ...(extras.holm === undefined ? {} : { holm: extras.holm }),
    pairwise,
    friedman,
    ...(families ? { families } : {}),
    verdict: families ? `${verdict} ${familyVerdict(best, families, spec.alpha)}` : verdict,
    winner: best.trialId,
  };
}

function familyBests(
  ranked: Candidate[],
  best: Candidate,
  listed: readonly string[],
  spec: CandidateComparisonOptions,
  sign: 1 | -1,
  testTrainRatio: number,
  interval: (t: Candidate) => ReturnType<typeof meanCi>,
  range: MetricRange | undefined,
  corrected: boolean,
): FamilyBest[] {
  const names = [...new Set([...listed, ...ranked.map((t) => t.model)])];
  const oriented = (t: Candidate) => t.foldScores.map((x) => sign * (x as number));
  const rows = names.map((model) => {
    const members = ranked.filter((t) => t.model === model);
    const top = members[0];
    if (!top) return { row: { model, trialId: null, candidates: 0 } as FamilyBest, top };
    const ci = interval(top);
    const row: FamilyBest = {
      model,
      trialId: top.trialId,
      candidates: members.length,
      mean: ci.mean,
      ci95: [ci.low, ci.high],
      ...(range === undefined ? {} : { ciMethod: ci.method }),
    };
    return { row, top };
  });
  const rivals = rows.filter((r) => r.top !== undefined && r.row.model !== best.model);
  const tests = rivals.map((r) =>
    pairTests(oriented(best), oriented(r.top as Candidate), spec, testTrainRatio, corrected),
  );
  const adjust = (ps: (number | undefined)[]) =>
    ps.length > 0
      ? holm(
          ps.map((p) => p ?? 1),
          spec.alpha,
        ).adjusted
      : [];
  const tHolm = adjust(tests.map((t) => t.t?.pValue));
  const wHolm = adjust(tests.map((t) => t.w?.pValue));
  rivals.forEach((r, i) => {
    const t = tests[i] as (typeof tests)[number];
    r.row.vsWinner = {
      meanDiff: sign * t.diff,
      correctedT: t.t
        ? { statistic: t.t.statistic, pValue: t.t.pValue, pHolm: tHolm[i] as number }
        : undefined,
      wilcoxon: t.w ? { statistic: t.w.statistic, pValue: t.w.pValue, pHolm: wHolm[i] as number } : undefined,
      bayesian: t.bayes ? { pA: t.bayes.pRight, pRope: t.bayes.pRope, pB: t.bayes.pLeft } : undefined,
    };
  });
  return rows.map((r) => r.row);
}

const fmt = (v: number | undefined): string => (v === undefined ? '–' : v.toFixed(4));
const fmtP = (v: number): string => (v < 1e-4 ? v.toExponential(1) : v.toFixed(4));

function familyVerdict(best: Candidate, families: FamilyBest[], alpha: number): string {
  if (families.length < 2) return '';
  const named = families
    .map((f) =>
      f.trialId === null
        ? `${f.model}: no configuration completed every fold`
        : `${f.model} ${f.trialId} (${fmt(f.mean)}, best of ${f.candidates})`,
    )
    .join('; ');
  const compared = families
    .filter((f) => f.vsWinner !== undefined)
    .map((f) => {
      const v = f.vsWinner as NonNullable<FamilyBest['vsWinner']>;
      const p = v.correctedT?.pHolm ?? v.wilcoxon?.pHolm;
      const test = v.correctedT ? 'corrected t' : 'Wilcoxon';
      if (p === undefined) return `is tied with ${f.model}'s on every fold`;
      return p < alpha
        ? `is significantly better than ${f.model}'s (${test}, Holm p = ${fmtP(p)})`
        : `is not distinguishable from ${f.model}'s (${test}, Holm p = ${fmtP(p)})`;
    });
  const across =
    compared.length > 0
      ? ` ${best.model}'s best ${compared.join('; it ')}.`
      : ' No other family has a configuration with every fold to compare.';
  return `Best of each family: ${named}.${across}`;
}

function verdictOf(
  winner: string,
  pairwise: CandidateComparison['pairwise'],
  alpha: number,
  holmFamily: HolmFamily,
): string {
  if (pairwise.length === 0) return `${winner} is the only candidate with complete folds.`;
  const beaten = pairwise.filter((p) => (p.correctedT?.pHolm ?? p.wilcoxon?.pHolm ?? 1) < alpha).length;
  const equivalent = pairwise.filter((p) => (p.bayesian?.pRope ?? 0) > 0.95).length;
  const holmText = holmFamily === HolmFamily.AllPairs ? 'Holm-corrected over all pairs' : 'Holm-corrected';
  if (beaten === pairwise.length) {
    return `${winner} is best: significantly better than all ${pairwise.length} other candidates (${holmText}, alpha=${alpha}).`;
  }
  return (
    `${winner} has the best mean; it is significantly better than ${beaten} of ${pairwise.length} other candidates ` +
    `(${holmText}, alpha=${alpha})` +
    (equivalent > 0
      ? ` and practically equivalent (P(rope) > 0.95) to ${equivalent}.`
      : '; the rest are not distinguishable on these folds.')
  );
}
