/**
 * `npm run bench:stats`: how often foldwise's verdicts and racing are wrong, measured on simulated fold-score streams
 * with known truth, run through the real comparison (`compareTopK`) and racing (`createRacer`) code — no training.
 *
 * 1. Noise: the size of the fold noise, the fold effect and the correlation between folds, estimated from real fold
 *    scores (`fold-scores.json`: repeated cross-validation on digits and wine, and cross-validation on disjoint parts
 *    of them; see `calibrate.ts`).
 * 2. Verdicts under the null (K equal candidates): the rate of "significantly better" for each test on a fixed pair,
 *    and of the top-K verdict (the best mean called significantly better than at least one other), with Holm over the
 *    winner's comparisons (before issue 16) and over every pair (now).
 * 3. Power: one candidate better by 0.5, 1 or 2 points than K − 1 equal others.
 * 4. Racing: 40 configurations whose true means trail the best by exponential gaps, raced by corrected t at every
 *    look, Wilcoxon at every look, `anytime-t` (alpha spent over looks) and Optuna's WilcoxonPruner rule on the same
 *    streams: folds saved, how often the true best is pruned, how often the winner is the true best.
 *
 *   npm run bench:stats [-- --studies 2000] [-- --only noise,null,power,racing]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HolmFamily,
  bayesianCorrelatedTTest,
  compareTopK,
  correctedResampledTTest,
  friedmanTest,
  pairedTTest,
  rankCandidates,
  wilcoxonSignedRank,
  type Candidate,
} from '@foldwise/compare';
import { createRacer } from '@foldwise/selection';
import { racingSpecSchema } from '@foldwise/spec';
import type { FoldScoreFile } from './calibrate';
import {
  estimateNoise,
  race,
  simulateScores,
  studyRng,
  type NoiseEstimate,
  type NoiseModel,
  type RacingRule,
} from './simulate';
import { createWilcoxonPruner } from './wilcoxon-pruner';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? fallback) : fallback;
};
const STUDIES = Number(opt('studies', '2000'));
const ONLY = new Set(opt('only', 'noise,null,power,racing').split(','));
const ALPHA = 0.05;

const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
/** A rate with its Monte-Carlo standard error. */
const rate = (hits: number, n: number): string => {
  const p = hits / n;
  return `${pct(p)} ± ${pct(Math.sqrt((p * (1 - p)) / n))}`;
};

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(w[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(w.map((x) => '-'.repeat(x))), ...rows.map(line)].join('\n');
}

const out = (s = ''): void => {
  process.stdout.write(`${s}\n`);
};

// 1. Noise from real fold scores.
const file = JSON.parse(readFileSync(join(__dirname, 'fold-scores.json'), 'utf8')) as FoldScoreFile;
const estimates: Record<string, { nullPair: NoiseEstimate; realPair: NoiseEstimate }> = {};
for (const [design, s] of Object.entries(file.scores)) {
  const a = s['a'] as number[][];
  estimates[design] = {
    nullPair: estimateNoise(a, s['a2'] as number[][]),
    realPair: estimateNoise(a, s['b'] as number[][]),
  };
}
if (ONLY.has('noise')) {
  out('## Noise of real fold scores (accuracy, 5 stratified folds)');
  out();
  out(
    table(
      ['design', 'pair', 'runs', 'mean diff', 'sd of diff', 'q', 'rho', 'fold effect sd'],
      Object.entries(estimates).flatMap(([design, e]) =>
        (
          [
            ['logistic seed 1 − seed 2 (null)', e.nullPair],
            ['logistic − mlp', e.realPair],
          ] as const
        ).map(([pair, x]) => [
          design,
          pair,
          String(x.runs),
          x.meanDiff.toFixed(4),
          x.sdDiff.toFixed(4),
          x.q.toFixed(3),
          x.rho.toFixed(3),
          x.tau.toFixed(4),
        ]),
      ),
    ),
  );
  out();
}

/** The noise the simulations use: digits' fold noise on the whole dataset, at three fold correlations. */
const digits = estimates['digits'] as { nullPair: NoiseEstimate; realPair: NoiseEstimate };
const rhos = Object.values(estimates).flatMap((e) => [e.nullPair.rho, e.realPair.rho]);
const rhoMean = rhos.reduce((a, b) => a + b, 0) / rhos.length;
const rhoSe = Math.sqrt(rhos.reduce((a, b) => a + (b - rhoMean) ** 2, 0) / (rhos.length - 1) / rhos.length);
/** The upper end of the pooled estimate (mean of the 8 estimates + 2 standard errors), at least 0. */
const measuredRho = Math.max(0, rhoMean + 2 * rhoSe);
const sigma = digits.realPair.sdDiff / Math.SQRT2;
const tau = digits.realPair.tau;
const settings = (k: number): { label: string; noise: NoiseModel }[] => [
  { label: 'rho 0', noise: { tau, sigma, rho: 0 } },
  { label: `rho ${measuredRho.toFixed(3)} (measured, upper)`, noise: { tau, sigma, rho: measuredRho } },
  { label: `rho 1/k = ${(1 / k).toFixed(3)} (Nadeau–Bengio)`, noise: { tau, sigma, rho: 1 / k } },
];
out(
  `Fold correlation from the ${rhos.length} estimates above: mean ${rhoMean.toFixed(3)}, standard error ` +
    `${rhoSe.toFixed(3)}; the simulations use 0, the upper end mean + 2 SE = ${measuredRho.toFixed(3)}, and 1/k ` +
    `(what the Nadeau–Bengio correction assumes).`,
);
out(
  `Simulated noise: candidate sd sigma = ${sigma.toFixed(4)} (paired-difference sd ${(sigma * Math.SQRT2).toFixed(4)}), ` +
    `fold effect sd tau = ${tau.toFixed(4)} (digits, logistic − mlp); ${STUDIES} studies per setting; alpha = ${ALPHA}.`,
);
out();

const comparisonSpec = {
  topK: 5,
  tests: ['corrected-t', 'wilcoxon', 'friedman', 'bayesian'] as const,
  alpha: ALPHA,
  rope: 0.01,
};
const candidates = (scores: number[][]): Candidate[] =>
  scores.map((s, i) => ({ trialId: `t${i}`, trialIndex: i, model: 'm', foldScores: s }));
const beatsAny = (c: ReturnType<typeof compareTopK>): boolean =>
  (c?.pairwise ?? []).some((p) => (p.correctedT?.pHolm ?? p.wilcoxon?.pHolm ?? 1) < ALPHA);
const beatsAll = (c: ReturnType<typeof compareTopK>): boolean =>
  (c?.pairwise ?? []).every((p) => (p.correctedT?.pHolm ?? p.wilcoxon?.pHolm ?? 1) < ALPHA);

// 2. Verdicts under the null.
if (ONLY.has('null')) {
  out('## False "significantly better" rates under the null (5 equal candidates)');
  out();
  const rows: string[][] = [];
  for (const k of [5, 10]) {
    const ratio = 1 / (k - 1);
    for (const { label, noise } of settings(k)) {
      const hits = {
        paired: 0,
        corrected: 0,
        wilcoxon: 0,
        wilcoxonC: 0,
        bayes: 0,
        friedman: 0,
        friedmanC: 0,
        winnerOnly: 0,
        allPairs: 0,
        wilcoxonOnly: 0,
      };
      for (let i = 0; i < STUDIES; i++) {
        const scores = simulateScores([0.9, 0.9, 0.9, 0.9, 0.9], k, noise, studyRng(`null-${k}-${label}`, i));
        const [a, b] = scores as [number[], number[]];
        if (pairedTTest(a, b).pValue < ALPHA) hits.paired++;
        if (correctedResampledTTest(a, b, { testTrainRatio: ratio }).pValue < ALPHA) hits.corrected++;
        if (wilcoxonSignedRank(a, b).pValue < ALPHA) hits.wilcoxon++;
        if (wilcoxonSignedRank(a, b, { testTrainRatio: ratio }).pValue < ALPHA) hits.wilcoxonC++;
        const bayes = bayesianCorrelatedTTest(a, b, { rope: 0, testTrainRatio: ratio });
        if (bayes.pRight > 1 - ALPHA / 2 || bayes.pLeft > 1 - ALPHA / 2) hits.bayes++;
        const matrix = Array.from({ length: k }, (_, f) => scores.map((s) => s[f] as number));
        if (friedmanTest(matrix).pValue < ALPHA) hits.friedman++;
        if (friedmanTest(matrix, { testTrainRatio: ratio }).pValue < ALPHA) hits.friedmanC++;
        const ranked = rankCandidates(candidates(scores), true);
        if (beatsAny(compareTopK(ranked, comparisonSpec, 'accuracy', true, ratio))) hits.winnerOnly++;
        const all = compareTopK(ranked, comparisonSpec, 'accuracy', true, ratio, {
          holm: HolmFamily.AllPairs,
        });
        if (beatsAny(all)) hits.allPairs++;
      }
      rows.push([
        String(k),
        label,
        rate(hits.paired, STUDIES),
        rate(hits.corrected, STUDIES),
        rate(hits.wilcoxon, STUDIES),
        rate(hits.wilcoxonC, STUDIES),
        rate(hits.bayes, STUDIES),
        rate(hits.friedman, STUDIES),
        rate(hits.friedmanC, STUDIES),
        rate(hits.winnerOnly, STUDIES),
        rate(hits.allPairs, STUDIES),
        rate(hits.wilcoxonOnly, STUDIES),
      ]);
    }
  }
  out(
    table(
      [
        'k',
        'fold correlation',
        'paired t (naive)',
        'corrected t',
        'Wilcoxon (SciPy)',
        'Wilcoxon, corrected',
        'Bayesian P>0.975 either way',
        'Friedman (5, SciPy)',
        'Friedman, corrected',
        'top-K verdict before (Holm over winner)',
        'top-K verdict now (Holm over all pairs)',
        'top-K verdict now, Wilcoxon only',
      ],
      rows,
    ),
  );
  out();
  out(
    'Per-test rates are on one fixed pair (two-sided p < alpha, either direction); the top-K verdict is the best mean ' +
      'called significantly better than at least one of the other four (corrected t, else Wilcoxon, Holm-adjusted); ' +
      '"before" is the comparison as it was before issue 16 (Holm over the winner\'s 4 comparisons, SciPy\'s Wilcoxon), ' +
      '"now" is what searches run (Holm over all 10 pairs, rank tests corrected for correlated folds). ' +
      '"Corrected" rank tests inflate their variance by 1 + k · n_test/n_train, as the corrected t-test does.',
  );
  out();
}

// 3. Power.
if (ONLY.has('power')) {
  out('## Power: one candidate better by delta than 4 equal others');
  out();
  const rows: string[][] = [];
  for (const k of [5, 10]) {
    const ratio = 1 / (k - 1);
    for (const { label, noise } of settings(k).slice(1))
      for (const delta of [0.005, 0.01, 0.02]) {
        const hits = { corrected: 0, wilcoxon: 0, top: 0, any: 0, all: 0 };
        for (let i = 0; i < STUDIES; i++) {
          const mu = [0.9 + delta, 0.9, 0.9, 0.9, 0.9];
          const scores = simulateScores(mu, k, noise, studyRng(`power-${k}-${label}-${delta}`, i));
          const [a, b] = scores as [number[], number[]];
          const t = correctedResampledTTest(a, b, { testTrainRatio: ratio });
          if (t.pValue < ALPHA && t.meanDiff > 0) hits.corrected++;
          const w = wilcoxonSignedRank(a, b, { testTrainRatio: ratio });
          if (w.pValue < ALPHA && a.reduce((s, x, f) => s + x - (b[f] as number), 0) > 0) hits.wilcoxon++;
          const ranked = rankCandidates(candidates(scores), true);
          const c = compareTopK(ranked, comparisonSpec, 'accuracy', true, ratio, {
            holm: HolmFamily.AllPairs,
            correctedRankTests: true,
          });
          if (c?.winner === 't0') {
            hits.top++;
            if (beatsAny(c)) hits.any++;
            if (beatsAll(c)) hits.all++;
          }
        }
        rows.push([
          String(k),
          label,
          `${(100 * delta).toFixed(1)} points`,
          pct(hits.corrected / STUDIES),
          pct(hits.wilcoxon / STUDIES),
          pct(hits.top / STUDIES),
          pct(hits.any / STUDIES),
          pct(hits.all / STUDIES),
        ]);
      }
  }
  out(
    table(
      [
        'k',
        'fold correlation',
        'true difference',
        'corrected t (pair)',
        'corrected Wilcoxon (pair)',
        'best mean is the true best',
        '… and called better than ≥ 1',
        '… and better than all 4',
      ],
      rows,
    ),
  );
  out();
}

// 4. Racing.
if (ONLY.has('racing')) {
  const means = JSON.parse(readFileSync(join(__dirname, 'search-means.json'), 'utf8')) as {
    searches: { meanCv: number[] }[];
  };
  /** Gaps to the best of the 4 × 30 configurations of real digits MLP random searches (test/bench/e2e). */
  const realGaps = means.searches.flatMap((x) => x.meanCv.map((m) => Math.max(...x.meanCv) - m));
  const meanGap = realGaps.reduce((a, b) => a + b, 0) / realGaps.length;
  out('## Racing: 4 trials in flight, 3 folds of a trial at a time, minFolds 3, alpha 0.05');
  out();
  const ours = (test: 'corrected-t' | 'wilcoxon' | 'anytime-t', k: number, margin?: number): RacingRule => {
    const r = createRacer(
      racingSpecSchema.parse({
        enabled: true,
        test,
        alpha: ALPHA,
        minFolds: 3,
        ...(margin ? { margin } : {}),
      }),
      { nFolds: k, direction: 'maximize', testTrainRatio: 1 / (k - 1) },
    );
    return {
      onFold: (t, f, y) => r.onFoldResult(t, f, y).map((d) => d.trialIndex),
      onComplete: () => undefined,
    };
  };
  const rules: { name: string; make: (k: number) => RacingRule }[] = [
    { name: 'corrected t at every look', make: (k) => ours('corrected-t', k) },
    { name: 'Wilcoxon at every look', make: (k) => ours('wilcoxon', k) },
    { name: 'anytime-t (alpha spent over looks)', make: (k) => ours('anytime-t', k) },
    { name: 'anytime-t, margin 0.005', make: (k) => ours('anytime-t', k, 0.005) },
    { name: "Optuna's WilcoxonPruner (p 0.1, startup 0)", make: () => createWilcoxonPruner() },
  ];
  const searches: { label: string; n: number; draw: (rng: ReturnType<typeof studyRng>) => number }[] = [
    {
      label: `digits MLP search: 30 gaps resampled from real searches (mean ${(100 * meanGap).toFixed(1)} points)`,
      n: 30,
      draw: (rng) => 0.97 - (realGaps[rng.int(realGaps.length)] as number),
    },
    {
      label: 'wide search: 40 gaps exponential, mean 10 points',
      n: 40,
      draw: (rng) => 0.95 + 0.1 * Math.log(1 - rng.next()),
    },
  ];
  const rows: string[][] = [];
  for (const k of [10, 5]) {
    const { noise } = settings(k)[2] as { noise: NoiseModel };
    for (const search of searches) {
      const studies = Array.from({ length: STUDIES }, (_, i) => {
        const rng = studyRng(`race-${k}-${search.label}`, i);
        const mu = Array.from({ length: search.n }, () => search.draw(rng));
        const scores = simulateScores(mu, k, noise, rng);
        const durations = mu.map(() => Array.from({ length: k }, () => -Math.log(1 - rng.next())));
        return { mu, scores, durations };
      });
      const oracle = ((search.n - 1) / search.n) * ((k - 3) / k);
      for (const rule of rules) {
        let run = 0;
        let total = 0;
        let bestPruned = 0;
        let winnerBest = 0;
        let regret = 0;
        for (const s of studies) {
          const o = race(s.mu, s.scores, s.durations, { parallelism: 4, foldConcurrency: 3 }, rule.make(k));
          run += o.foldsRun;
          total += o.foldsTotal;
          if (o.trueBestPruned) bestPruned++;
          if (o.winnerIsTrueBest) winnerBest++;
          regret += o.regret;
        }
        rows.push([
          String(k),
          search.label,
          pct(oracle),
          rule.name,
          pct(1 - run / total),
          rate(bestPruned, STUDIES),
          pct(winnerBest / STUDIES),
          `${((100 * regret) / STUDIES).toFixed(3)}`,
        ]);
      }
    }
  }
  out(
    table(
      [
        'k',
        'true means',
        'oracle saving',
        'rule',
        'folds saved',
        'true best pruned',
        'winner is the true best',
        'mean regret (points)',
      ],
      rows,
    ),
  );
  out();
  out(
    'Noise as above with rho = 1/k. Folds saved = 1 − folds completed / (n · k); a pruned trial’s folds in flight ' +
      'are cancelled. Oracle saving: every configuration but the true best stopped after 3 folds. Regret: true mean of ' +
      'the true best minus that of the best complete configuration by mean score.',
  );
}
