/**
 * Optuna's WilcoxonPruner rule (optuna/pruners/_wilcoxon.py, experimental since Optuna 3.6; Debian's Optuna 3.1 does
 * not have it), reimplemented to run on `bench:stats`'s simulated streams beside foldwise's racing:
 *
 * when a trial reports a step (here: a fold), compare its reported values with the best *completed* trial's values on
 * the same steps; with at least `nStartupSteps` shared steps, run SciPy's one-sided Wilcoxon signed-rank test on the
 * differences (`zero_method="zsplit"`, alternative: the trial is worse) and prune when p < `pThreshold`, unless the
 * mean of the trial's reported values is at least the best trial's final value (its "average_is_best" safety). Only
 * the reporting trial is judged. Defaults are Optuna's: p_threshold 0.1, n_startup_steps 0.
 */
import { wilcoxonSignedRank } from '@foldwise/compare';
import type { RacingRule } from './simulate';

/** Options of {@link createWilcoxonPruner}, Optuna's names in camelCase. */
export interface WilcoxonPrunerOptions {
  pThreshold?: number;
  nStartupSteps?: number;
}

/** The WilcoxonPruner rule for a maximised objective. */
export function createWilcoxonPruner(opts: WilcoxonPrunerOptions = {}): RacingRule {
  const pThreshold = opts.pThreshold ?? 0.1;
  const nStartupSteps = opts.nStartupSteps ?? 0;
  const reported = new Map<number, Map<number, number>>();
  let best: { trial: number; value: number } | undefined;
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    onFold(trial, fold, score) {
      const own = reported.get(trial) ?? new Map<number, number>();
      own.set(fold, score);
      reported.set(trial, own);
      if (!best) return [];
      const bestValues = reported.get(best.trial) as Map<number, number>;
      const steps = [...own.keys()].filter((s) => bestValues.has(s)).sort((a, b) => a - b);
      if (steps.length < nStartupSteps || steps.length < 2) return [];
      const mine = steps.map((s) => own.get(s) as number);
      const theirs = steps.map((s) => bestValues.get(s) as number);
      if (mine.every((x, i) => x === theirs[i])) return [];
      const p = wilcoxonSignedRank(mine, theirs, { alternative: 'less', zeroMethod: 'zsplit' }).pValue;
      const averageIsBest = best.value <= mean([...own.values()]);
      return p < pThreshold && !averageIsBest ? [trial] : [];
    },
    onComplete(trial) {
      const value = mean([...(reported.get(trial) as Map<number, number>).values()]);
      if (!best || value > best.value) best = { trial, value };
    },
  };
}
