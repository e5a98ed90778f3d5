/**
 * Simulated fold-score streams with known truth for `bench:stats`, and the size of their noise estimated from real
 * fold scores (`fold-scores.json`, written by `calibrate.ts`).
 *
 * Model of one study: candidate c's score on fold f is
 *   μ_c + u_f + σ · (√ρ · g_c + √(1 − ρ) · z_cf),   u_f ~ N(0, τ²), g_c, z_cf ~ N(0, 1),
 * a fold effect u_f shared by every candidate (easy and hard folds), and candidate × fold noise whose correlation
 * between the folds of one candidate is ρ (overlapping training sets make a configuration's fold scores move
 * together). The paired difference of two candidates then has standard deviation σ√2 and correlation ρ between
 * folds; the corrected resampled t-test is exact when ρ = n_test / n = 1/k.
 */
import { createRng, type Rng } from '@foldwise/selection';

/** Noise of a study: fold effect τ, candidate noise σ, and its correlation ρ between folds (all in score units). */
export interface NoiseModel {
  tau: number;
  sigma: number;
  rho: number;
}

/** Scores `[candidate][fold]` of one study with true means `mu`. */
export function simulateScores(mu: readonly number[], k: number, noise: NoiseModel, rng: Rng): number[][] {
  const fold = Array.from({ length: k }, () => noise.tau * rng.normal());
  const a = Math.sqrt(noise.rho);
  const b = Math.sqrt(1 - noise.rho);
  return mu.map((m) => {
    const g = rng.normal();
    return fold.map((u) => m + u + noise.sigma * (a * g + b * rng.normal()));
  });
}

/** A seeded generator for study `i` of a named setting (the same study for every rule compared on it). */
export function studyRng(setting: string, i: number): Rng {
  return createRng(`${setting}:${i}`);
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: readonly number[]): number => {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

/** What one design of real fold scores says about the noise of paired differences. */
export interface NoiseEstimate {
  /** Cross-validations (repeats or datasets) and folds per cross-validation. */
  runs: number;
  k: number;
  /** Mean of the paired differences (the true difference, for the null pair 0). */
  meanDiff: number;
  /** Standard deviation of the paired differences within one cross-validation. */
  sdDiff: number;
  /** Variance ratio q = k · Var(mean difference across runs) / E[within-run variance]; 1 when folds are independent. */
  q: number;
  /** Correlation between folds of the differences, from q = (1 + (k − 1)ρ) / (1 − ρ): ρ = (q − 1) / (q + k − 1). */
  rho: number;
  /** Standard deviation of the fold effect (covariance of two configurations' scores on the same fold). */
  tau: number;
}

/**
 * Estimates the noise of the paired differences `a − b` from runs of k folds each, under the exchangeable model:
 * within a run the differences have variance σ_d²(1 − ρ) around the run's mean, and the run means vary with
 * variance σ_d²(1 + (k − 1)ρ)/k.
 */
export function estimateNoise(a: readonly number[][], b: readonly number[][]): NoiseEstimate {
  const runs = a.length;
  const k = a[0]?.length ?? 0;
  const diffs = a.map((row, r) => row.map((x, f) => x - (b[r]?.[f] as number)));
  const within = mean(diffs.map(variance));
  const means = diffs.map(mean);
  const q = (k * variance(means)) / within;
  const rho = (q - 1) / (q + k - 1);
  const covs = a.map((row, r) => {
    const other = b[r] as number[];
    const ma = mean(row);
    const mb = mean(other);
    return row.reduce((s, x, f) => s + (x - ma) * ((other[f] as number) - mb), 0) / (k - 1);
  });
  return {
    runs,
    k,
    meanDiff: mean(means),
    sdDiff: Math.sqrt(within / (1 - Math.max(rho, 0))),
    q,
    rho,
    tau: Math.sqrt(Math.max(0, mean(covs))),
  };
}

/** How the engine schedules folds: trials in flight, folds of one trial in flight, fold durations. */
export interface Schedule {
  parallelism: number;
  foldConcurrency: number;
}

/** A racing rule under test: told every completed fold, it answers which trials to stop now. */
export interface RacingRule {
  onFold(trial: number, fold: number, score: number): number[];
  /** A trial finished all its folds. */
  onComplete(trial: number): void;
}

/** What one raced study did. */
export interface RaceOutcome {
  foldsRun: number;
  foldsTotal: number;
  trueBestPruned: boolean;
  /** The best complete trial by mean score is the true best. */
  winnerIsTrueBest: boolean;
  /** True mean of the true best minus the true mean of the winner. */
  regret: number;
}

/**
 * Runs one study through the engine's schedule: `parallelism` trials in flight in index order, each running its folds
 * in order with `foldConcurrency` at a time; fold durations come from `durations[trial][fold]`. A stopped trial's
 * folds in flight are cancelled (not counted as run) and its remaining folds never start.
 */
export function race(
  mu: readonly number[],
  scores: readonly number[][],
  durations: readonly number[][],
  schedule: Schedule,
  rule: RacingRule,
): RaceOutcome {
  const n = mu.length;
  const k = scores[0]?.length ?? 0;
  const nextFold = new Array<number>(n).fill(0);
  const done = new Array<number>(n).fill(0);
  const stopped = new Array<boolean>(n).fill(false);
  const finished = new Array<boolean>(n).fill(false);
  const inFlight: { trial: number; fold: number; at: number }[] = [];
  let now = 0;
  let launched = 0;
  let active = 0;
  let foldsRun = 0;
  const startFold = (t: number) => {
    const f = nextFold[t] as number;
    nextFold[t] = f + 1;
    inFlight.push({ trial: t, fold: f, at: now + (durations[t]?.[f] as number) });
  };
  const launch = () => {
    while (active < schedule.parallelism && launched < n) {
      const t = launched++;
      active++;
      for (let c = 0; c < Math.min(schedule.foldConcurrency, k); c++) startFold(t);
    }
  };
  const stop = (t: number) => {
    if (stopped[t] || finished[t]) return;
    stopped[t] = true;
    active--;
    for (let i = inFlight.length - 1; i >= 0; i--) if (inFlight[i]?.trial === t) inFlight.splice(i, 1);
  };
  launch();
  while (inFlight.length > 0) {
    let j = 0;
    for (let i = 1; i < inFlight.length; i++)
      if ((inFlight[i]?.at as number) < (inFlight[j]?.at as number)) j = i;
    const ev = inFlight.splice(j, 1)[0] as { trial: number; fold: number; at: number };
    now = ev.at;
    const t = ev.trial;
    foldsRun++;
    done[t] = (done[t] as number) + 1;
    const prune = rule.onFold(t, ev.fold, scores[t]?.[ev.fold] as number);
    if (done[t] === k) {
      finished[t] = true;
      active--;
      rule.onComplete(t);
    } else if ((nextFold[t] as number) < k && !prune.includes(t)) startFold(t);
    for (const p of prune) stop(p);
    launch();
  }
  const trueBest = mu.indexOf(Math.max(...mu));
  let winner = -1;
  let winnerMean = -Infinity;
  for (let t = 0; t < n; t++) {
    if (!finished[t]) continue;
    const m = mean(scores[t] as number[]);
    if (m > winnerMean) {
      winner = t;
      winnerMean = m;
    }
  }
  return {
    foldsRun,
    foldsTotal: n * k,
    trueBestPruned: stopped[trueBest] === true,
    winnerIsTrueBest: winner === trueBest,
    regret: (mu[trueBest] as number) - (winner >= 0 ? (mu[winner] as number) : -Infinity),
  };
}
