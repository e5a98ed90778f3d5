import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PruneEvidence, SearchProgress, TrialSummary } from '@foldwise/spec';

/** Changes to workflow code that ran before, each behind `patched(id)` so older histories replay unchanged. */
export const Patch = {
  /** A fold's next scheduler rung resumes from the checkpoint its previous rung paused at (it retrained from epoch 0 before). */
  ResumeRungs: 'resume-rungs-from-checkpoint',
  /**
   * A trial is written once, when it ends, from the fold results the workflow holds (`finishTrial` gets them); it no
   * longer records its start with `recordTrialStart`.
   */
  TrialWrittenAtEnd: 'trial-written-at-end',
  /**
   * The search upserts its best-score search attributes when the best configuration changes, not after every trial
   * (each upsert is a visibility write on the server).
   */
  BestAttributesOnChange: 'best-attributes-on-change',
  /**
   * The comparison keeps intervals of a bounded primary metric inside its range (the best's and the candidates'),
   * Holm-adjusts over every pair of the top K (the winner is picked as the best mean), corrects the Wilcoxon and
   * Friedman tests for correlated folds, and names and compares the best of each listed family.
   */
  CertifiedComparison: 'certified-comparison',
  /** Every listed family gets its floor of trials first (`budget.minPerFamily`, round robin). */
  FamilyFloor: 'family-floor',
  /**
   * A spec with `objectives` or `constraints`: folds also record the metrics they name, TPE is told each trial's
   * objective means and constraint violation, infeasible configurations are never ranked above feasible ones nor the
   * winner, and the search ends with the Pareto front (`pareto`). Checked only for such specs.
   */
  MultiObjective: 'multi-objective',
  /**
   * The bookkeeping writes at the end of a trial (`finishTrial`) and of a search (`finishSearch`) run as local
   * activities on the control worker that runs the workflow: no task-queue round trip and no extra workflow task each.
   */
  LocalBookkeeping: 'local-bookkeeping',
  /**
   * A racing trial reports its folds with `foldsDone`: its first `minFolds` together, then each later one but its
   * last, which the search feeds to the racer from the trial's result (one signal and search workflow task per fold
   * fewer; the racer decides nothing on fewer than `minFolds` folds, so its decisions are the same).
   */
  RacingBatchedReports: 'racing-batched-reports',
  /**
   * A spec with `cv.repeats: { auto: true, max }`: after the trials, the winner and the top candidates the tests
   * cannot separate from it run further k-fold repeats (child workflows `…-trial-N-repeat-R`) until the verdict is
   * decided or `max` repeats are spent; the comparison records the repeats (`comparison.repeats`). Checked only for
   * such specs.
   */
  RepeatsOnDemand: 'repeats-on-demand',
} as const;

/** A trial tells its search that one fold finished, with its primary score (for racing). */
export const foldDoneSignal = defineSignal<[{ trialIndex: number; fold: number; score: number }]>('foldDone');

/** A racing trial tells its search that some of its folds finished, with their primary scores. */
export const foldsDoneSignal =
  defineSignal<[{ trialIndex: number; folds: { fold: number; score: number }[] }]>('foldsDone');

/** A trial tells its search the mean validation score of its folds at a scheduler rung. */
export const rungReportSignal =
  defineSignal<[{ trialIndex: number; epoch: number; score: number }]>('rungReport');

/** The search answers a rung report: continue training or stop here. */
export const rungDecisionSignal =
  defineSignal<[{ epoch: number; verdict: 'continue' | 'stop' }]>('rungDecision');

/** The search stops a trial that cannot win; its remaining folds never run. */
export const pruneSignal = defineSignal<[PruneEvidence]>('prune');

/** Stop launching new trials; running ones finish. */
export const pauseUpdate = defineUpdate<{ paused: boolean }>('pause');

/** Launch trials again after a pause. */
export const resumeUpdate = defineUpdate<{ paused: boolean }>('resume');

/** Add trials to the budget; returns the new budget. */
export const extendBudgetUpdate = defineUpdate<{ budget: number }, [number]>('extendBudget');

/** Live status of a search. */
export const statusQuery = defineQuery<SearchProgress>('status');

/** Live leaderboard: trials finished so far, best first. */
export const leaderboardQuery = defineQuery<TrialSummary[]>('leaderboard');
