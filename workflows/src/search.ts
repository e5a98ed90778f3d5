import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import type { FoldwiseActivities } from '@foldwise/activities';
import {
  HolmFamily,
  compareTopK,
  meanCi,
  rankCandidates,
  repeatsSentence,
  undecidedCandidates,
  type RepeatsRecord,
} from '@foldwise/compare';
import { scorerRange } from '@foldwise/metrics';
import { createRacer, createScheduler, createStrategy, defaultFamilyFloor } from '@foldwise/selection';
import {
  SearchAttribute,
  TaskQueue,
  poolTaskQueue,
  trialIdOf,
  trialRepeatWorkflowId,
  trialWorkflowId,
  type SearchPlan,
  type TrialInput,
  type SearchResult,
  type SearchProgress,
  type ParetoEntry,
  type SearchWorkflowInput,
  type TrialSummary,
} from '@foldwise/spec';
import { errorMessage } from './errors';
import {
  Patch,
  extendBudgetUpdate,
  foldDoneSignal,
  foldsDoneSignal,
  leaderboardQuery,
  pauseUpdate,
  pruneSignal,
  resumeUpdate,
  rungDecisionSignal,
  rungReportSignal,
  statusQuery,
} from './messages';
import { constraintViolation, extraMetrics, paretoEntries, resolveObjectives } from './objectives';
import { trialWorkflow } from './trial';

/** Events in one run's history before the search drains its trials and continues as new. */
export const HISTORY_EVENTS_BEFORE_CONTINUE = 2500;

/** State carried from one run of a search to the next across continue-as-new. */
export interface CarriedState {
  plan: SearchPlan;
  strategy: unknown;
  scheduler: unknown;
  racer: unknown;
  nextTrial: number;
  budget: number;
  paused: boolean;
  finished: TrialSummary[];
  foldsRun: number;
  runs: number;
}

const controlRetry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 20,
  nonRetryableErrorTypes: ['InvalidSpec', 'InvalidData'],
};
const control = proxyActivities<FoldwiseActivities>({
  taskQueue: TaskQueue.Control,
  startToCloseTimeout: '10m',
  retry: controlRetry,
});
const controlLocal = proxyLocalActivities<FoldwiseActivities>({
  startToCloseTimeout: '10m',
  retry: controlRetry,
});

/** Writes the search's outcome: a local activity since {@link Patch.LocalBookkeeping}, a control-queue one before. */
const finishSearch: FoldwiseActivities['finishSearch'] = (input) =>
  (patched(Patch.LocalBookkeeping) ? controlLocal : control).finishSearch(input);

const keys = {
  name: defineSearchAttributeKey(SearchAttribute.Name, SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey(SearchAttribute.Status, SearchAttributeType.KEYWORD),
  best: defineSearchAttributeKey(SearchAttribute.BestScore, SearchAttributeType.DOUBLE),
  model: defineSearchAttributeKey(SearchAttribute.Model, SearchAttributeType.KEYWORD),
};

/** Plans a search, runs one child trial per configuration in a sliding window, compares and refits the best. */
export async function searchWorkflow(input: SearchWorkflowInput): Promise<SearchResult> {
  const { searchId, spec } = input;
  const carried = input.carried as CarriedState | undefined;
  const setAttrs = (status: string, best?: { score: number; model: string }) => {
    if (!input.searchAttributes) return;
    upsertSearchAttributes([
      { key: keys.name, value: spec.name },
      { key: keys.status, value: status },
      ...(best && Number.isFinite(best.score)
        ? [
            { key: keys.best, value: best.score },
            { key: keys.model, value: best.model },
          ]
        : []),
    ]);
  };

  let phase: SearchProgress['phase'] = carried ? 'running' : 'preparing';
  if (!carried) setAttrs('running');
  let budget = carried?.budget ?? spec.budget.trials;
  let paused = carried?.paused ?? false;
  setHandler(pauseUpdate, () => {
    paused = true;
    return { paused };
  });
  setHandler(resumeUpdate, () => {
    paused = false;
    return { paused };
  });
  setHandler(
    extendBudgetUpdate,
    (n) => {
      budget += n;
      return { budget };
    },
    {
      validator: (n) => {
        if (!Number.isInteger(n) || n < 1 || n > 100_000)
          throw new Error(`extendBudget: n must be an integer in [1, 100000] (got ${n})`);
      },
    },
  );
  setHandler(statusQuery, () => ({
    searchId,
    phase,
    paused,
    budget,
    started: 0,
    inFlight: 0,
    completed: 0,
    pruned: 0,
    failed: 0,
    foldsDone: 0,
    foldsTotal: 0,
    runs: (carried?.runs ?? 0) + 1,
  }));
  setHandler(leaderboardQuery, () => []);
  let plan: SearchPlan;
  try {
    plan = carried?.plan ?? (await control.prepareSearch({ searchId, spec, dataset: input.dataset }));
  } catch (err) {
    if (!isCancellation(err)) {
      setAttrs('failed');
      await finishSearch({
        searchId,
        status: 'failed',
        best: undefined,
        counts: undefined,
        error: errorMessage(err),
      });
    }
    throw err;
  }
  phase = 'running';
  const certified = patched(Patch.CertifiedComparison);
  const range = certified ? scorerRange(plan.primary.name) : undefined;
  const direction = plan.primary.greaterIsBetter ? 'maximize' : 'minimize';
  const families = spec.models.map((m) => ({ model: m.family, space: m.space }));
  const familyFloor =
    carried === undefined && patched(Patch.FamilyFloor)
      ? defaultFamilyFloor({
          families: families.length,
          trials: spec.budget.trials,
          strategy: spec.strategy,
          minPerFamily: spec.budget.minPerFamily,
        })
      : 0;
  const multiObjective =
    (spec.objectives !== undefined || spec.constraints !== undefined) && patched(Patch.MultiObjective);
  const objectives = multiObjective ? resolveObjectives(spec) : [];
  const constraints = multiObjective ? (spec.constraints ?? []) : [];
  const strategy = createStrategy(
    spec.strategy,
    families,
    {
      seed: spec.seed,
      direction,
      familyFloor,
      ...(objectives.length > 0
        ? {
            objectives: objectives.map((o) =>
              o.greaterIsBetter ? ('maximize' as const) : ('minimize' as const),
            ),
          }
        : {}),
    },
    carried?.strategy as never,
  );
  const scheduler =
    spec.scheduler.kind === 'none'
      ? undefined
      : createScheduler({ ...spec.scheduler, direction }, carried?.scheduler as never);
  const racer = spec.racing.enabled
    ? createRacer(
        spec.racing,
        { nFolds: plan.nFolds, direction, testTrainRatio: plan.testTrainRatio },
        carried?.racer as never,
      )
    : undefined;

  let nextTrial = carried?.nextTrial ?? 0;
  let foldsRun = carried?.foldsRun ?? 0;
  const finished: TrialSummary[] = carried?.finished ?? [];
  const inFlight = new Map<number, Promise<void>>();
  const runs = (carried?.runs ?? 0) + 1;
  const reported = [plan.primary.name, ...spec.metrics.report.filter((m) => m !== plan.primary.name)];
  const metrics = multiObjective ? [...reported, ...extraMetrics(spec, reported)] : reported;

  /** Whether a trial meets the constraints (always, without any); an infeasible one is never ranked or the winner. */
  const feasible = (t: TrialSummary): boolean => (t.violation ?? 0) === 0;
  const ranked = () => rankCandidates(finished.filter(feasible), plan.primary.greaterIsBetter);
  /** Completed trials that break a constraint, least violation first. */
  const infeasible = () =>
    finished
      .filter((t) => t.status === 'completed' && !feasible(t))
      .sort((a, b) => (a.violation ?? 0) - (b.violation ?? 0) || a.trialIndex - b.trialIndex);
  const leaderboard = () => [
    ...ranked(),
    ...infeasible(),
    ...finished.filter((t) => t.status !== 'completed'),
  ];
  const bestSoFar = (): SearchResult['best'] => {
    const b = ranked()[0];
    if (!b) return undefined;
    const ci = meanCi(b.foldScores as number[], {
      testTrainRatio: plan.testTrainRatio,
      ...(range === undefined ? {} : { range }),
    });
    return {
      trialId: b.trialId,
      model: b.model,
      params: b.params,
      metric: plan.primary.name,
      score: ci.mean,
      ci95: [ci.low, ci.high],
      ...(range === undefined ? {} : { ciMethod: ci.method }),
    };
  };
  const counts = () => ({
    trials: finished.length,
    completed: finished.filter((t) => t.status === 'completed').length,
    pruned: finished.filter((t) => t.status === 'pruned').length,
    failed: finished.filter((t) => t.status === 'failed').length,
    foldsRun,
    foldsSkipped: finished.reduce((s, t) => s + t.foldScores.filter((x) => x === null).length, 0),
  });

  setHandler(statusQuery, () => {
    const c = counts();
    return {
      searchId,
      phase,
      paused,
      budget,
      started: nextTrial,
      inFlight: inFlight.size,
      completed: c.completed,
      pruned: c.pruned,
      failed: c.failed,
      foldsDone: foldsRun,
      foldsTotal: budget * plan.nFolds,
      best: bestSoFar(),
      runs,
    };
  });
  setHandler(leaderboardQuery, leaderboard);
  /** Folds of a trial in flight already counted from its `foldDone` signals (racing only). */
  const signaledFolds = new Map<number, number>();
  /** Gives the racer one fold's score and sends the prunes it decides to the trials still running. */
  const race = (trialIndex: number, fold: number, score: number): void => {
    if (!racer) return;
    for (const d of racer.onFoldResult(trialIndex, fold, score)) {
      if (!inFlight.has(d.trialIndex)) continue;
      void getExternalWorkflowHandle(trialWorkflowId(searchId, d.trialIndex))
        .signal(pruneSignal, { kind: 'racing', evidence: d.evidence as unknown as Record<string, unknown> })
        .catch((err: unknown) =>
          log.warn('prune signal not delivered', { trialIndex: d.trialIndex, err: String(err) }),
        );
    }
  };
  setHandler(foldDoneSignal, ({ trialIndex, fold, score }) => {
    foldsRun += 1;
    signaledFolds.set(trialIndex, (signaledFolds.get(trialIndex) ?? 0) + 1);
    race(trialIndex, fold, score);
  });
  setHandler(foldsDoneSignal, ({ trialIndex, folds }) => {
    foldsRun += folds.length;
    signaledFolds.set(trialIndex, (signaledFolds.get(trialIndex) ?? 0) + folds.length);
    for (const f of folds) race(trialIndex, f.fold, f.score);
  });
  setHandler(rungReportSignal, ({ trialIndex, epoch, score }) => {
    const verdict = scheduler ? scheduler.report(trialIndex, epoch, score) : 'continue';
    void getExternalWorkflowHandle(trialWorkflowId(searchId, trialIndex))
      .signal(rungDecisionSignal, { epoch, verdict })
      .catch((err: unknown) => log.warn('rung decision not delivered', { trialIndex, err: String(err) }));
  });

  const onDemand = plan.repeats !== undefined && patched(Patch.RepeatsOnDemand) ? plan.repeats : undefined;
  /** The input of a trial's child workflow (its first run; a further repeat overrides plan, folds and scheduling). */
  const trialInput = (trialIndex: number, model: string, params: Record<string, unknown>): TrialInput => {
    const modelSpec = spec.models.find((m) => m.family === model) ?? spec.models[0];
    return {
      searchId,
      trialIndex,
      model,
      params: { ...(modelSpec?.params ?? {}), ...params },
      preprocess: modelSpec?.preprocess,
      dataset: input.dataset,
      cv: spec.cv,
      seed: spec.seed,
      plan,
      metrics,
      pool: spec.pool,
      rungs: scheduler ? scheduler.rungs(trialIndex) : [],
      foldConcurrency: racer ? Math.min(plan.nFolds, spec.racing.minFolds ?? 3) : plan.nFolds,
      racing: racer !== undefined,
      ...(racer ? { racingMinFolds: spec.racing.minFolds ?? 3 } : {}),
      ...(objectives.length > 0 ? { foldMetrics: objectives.map((o) => o.metric) } : {}),
      ...(onDemand ? { keepFolds: true } : {}),
    };
  };

  const launch = async (
    trialIndex: number,
    model: string,
    params: Record<string, unknown>,
  ): Promise<void> => {
    const child = await startChild(trialWorkflow, {
      workflowId: trialWorkflowId(searchId, trialIndex),
      taskQueue: TaskQueue.Control,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      args: [trialInput(trialIndex, model, params)],
    });
    let summary: TrialSummary;
    try {
      summary = await child.result();
    } catch (err) {
      if (isCancellation(err)) throw err;
      summary = {
        trialIndex,
        trialId: trialIdOf(searchId, trialIndex),
        model,
        params,
        status: 'failed',
        foldScores: Array.from({ length: plan.nFolds }, () => null),
        metrics: {},
        epochsTrained: 0,
        error: errorMessage(err),
      };
    }
    if (constraints.length > 0 && summary.status === 'completed')
      summary.violation = constraintViolation(constraints, summary.metrics);
    finished.push(summary);
    // Racing counts folds live from the trials' signals; a fold that finished after its trial was pruned sends none
    // (its signal is issued in the cancelled scope), so the trial's own result settles the count.
    const ran = summary.foldScores.filter((x) => x !== null).length;
    foldsRun += Math.max(0, ran - (signaledFolds.get(trialIndex) ?? 0));
    signaledFolds.delete(trialIndex);
    if (racer && patched(Patch.RacingBatchedReports))
      summary.foldScores.forEach((score, fold) => {
        if (score !== null && Number.isFinite(score) && !racer.hasResult(trialIndex, fold))
          race(trialIndex, fold, score);
      });
    const objectiveMeans = objectives.map((o) => summary.metrics[o.metric]?.mean ?? Number.NaN);
    strategy.tell(trialIndex, {
      status: summary.status === 'cancelled' ? 'failed' : summary.status,
      ...(summary.status === 'completed'
        ? { score: summary.metrics[plan.primary.name]?.mean ?? Number.NaN }
        : {}),
      ...(summary.status === 'completed' && objectives.length > 0 && objectiveMeans.every(Number.isFinite)
        ? { objectives: objectiveMeans }
        : {}),
      ...(summary.violation !== undefined ? { violation: summary.violation } : {}),
    });
    const best = bestSoFar();
    if (!attrsOnChange || best?.trialId !== attrsBestTrial) {
      attrsBestTrial = best?.trialId;
      setAttrs('running', best);
    }
  };

  /** The best trial the search attributes name (their upsert waits for it to change). */
  let attrsBestTrial: string | undefined;
  const attrsOnChange = patched(Patch.BestAttributesOnChange);
  let launchedThisRun = 0;
  const overHistory = () =>
    launchedThisRun > 0 &&
    (workflowInfo().continueAsNewSuggested ||
      workflowInfo().historyLength > (input.continueAfterEvents ?? HISTORY_EVENTS_BEFORE_CONTINUE));
  const wantsMore = () => nextTrial < budget && !strategy.exhausted;

  const compare = () =>
    compareTopK(
      ranked(),
      spec.comparison,
      plan.primary.name,
      plan.primary.greaterIsBetter,
      plan.testTrainRatio,
      certified
        ? {
            range,
            holm: HolmFamily.AllPairs,
            families: spec.models.map((m) => m.family),
            correctedRankTests: true,
          }
        : {},
    );

  /** What repeats on demand did, for the comparison (absent without them). */
  let repeats: RepeatsRecord | undefined;
  /**
   * Repeats on demand: while the tests leave candidates of the top K undecided against the winner, the winner and
   * those candidates run the next k-fold repeat (each first catches up on repeats it lacks), up to `max` repeats.
   */
  const repeatOnDemand = async ({ k, max }: { k: number; max: number }): Promise<RepeatsRecord> => {
    phase = 'repeating';
    const repeatsOf = (t: TrialSummary) => Math.floor(t.foldScores.length / k);
    const record: RepeatsRecord = { k, max, rounds: [], perCandidate: {}, decided: false };
    for (let r = 2; ; r++) {
      const cmp = compare();
      const undecided = cmp ? undecidedCandidates(cmp, spec.comparison.alpha) : [];
      record.decided = cmp !== undefined && undecided.length === 0;
      record.perCandidate = Object.fromEntries(
        (cmp?.candidates ?? []).map((c) => {
          const t = finished.find((x) => x.trialId === c.trialId);
          return [c.trialId, t ? repeatsOf(t) : 1];
        }),
      );
      if (!cmp || record.decided || r > max) return record;
      const group = [cmp.winner, ...undecided]
        .map((id) => finished.find((t) => t.trialId === id))
        .filter((t): t is TrialSummary => t !== undefined && repeatsOf(t) < r);
      const ran: string[] = [];
      await Promise.all(
        group.map(async (t) => {
          const run = repeatTrial(t, r, k).then((summary) => {
            if (summary) ran.push(t.trialId);
          });
          inFlight.set(t.trialIndex, run);
          try {
            await run;
          } finally {
            inFlight.delete(t.trialIndex);
          }
        }),
      );
      if (ran.length === 0) return record;
      record.rounds.push({ repeat: r, trials: ran.sort() });
    }
  };

  /** Runs a finished trial's folds up to repeat `r` of `k` folds; its result replaces the trial's (undefined when it failed). */
  const repeatTrial = async (t: TrialSummary, r: number, k: number): Promise<TrialSummary | undefined> => {
    const from = t.foldScores.length;
    // t.params already holds the family's fixed params merged in, and trialInput merges them again unchanged.
    const base = trialInput(t.trialIndex, t.model, t.params);
    const child = await startChild(trialWorkflow, {
      workflowId: trialRepeatWorkflowId(searchId, t.trialIndex, r),
      taskQueue: TaskQueue.Control,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      args: [
        {
          ...base,
          plan: { ...plan, nFolds: r * k },
          rungs: [],
          racing: false,
          racingMinFolds: undefined,
          foldConcurrency: r * k - from,
          repeat: {
            index: r - 1,
            folds: Array.from({ length: r * k - from }, (_, i) => from + i),
            prior: t.folds ?? [],
          },
        },
      ],
    });
    let summary: TrialSummary;
    try {
      summary = await child.result();
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('repeat did not complete; the trial keeps its earlier folds', {
        trialIndex: t.trialIndex,
        repeat: r,
        err: errorMessage(err),
      });
      return undefined;
    }
    if (constraints.length > 0) summary.violation = constraintViolation(constraints, summary.metrics);
    foldsRun += summary.foldScores.length - from;
    finished[finished.indexOf(t)] = summary;
    return summary;
  };

  let fatal: unknown;
  try {
    while (true) {
      await condition(
        () =>
          fatal !== undefined ||
          (inFlight.size === 0 && (!wantsMore() || overHistory())) ||
          (!paused && !overHistory() && wantsMore() && inFlight.size < spec.budget.parallelism),
      );
      if (fatal !== undefined) throw fatal;
      if (inFlight.size === 0 && overHistory() && wantsMore()) {
        const next: CarriedState = {
          plan,
          strategy: strategy.state(),
          scheduler: scheduler?.state(),
          racer: racer?.state(),
          nextTrial,
          budget,
          paused,
          finished,
          foldsRun,
          runs,
        };
        await continueAsNew<typeof searchWorkflow>({ ...input, carried: next });
      }
      if (inFlight.size === 0 && !wantsMore()) break;
      const room = Math.min(spec.budget.parallelism - inFlight.size, budget - nextTrial);
      for (const p of strategy.ask(Math.max(0, room))) {
        const idx = p.trialIndex;
        nextTrial = Math.max(nextTrial, idx + 1);
        launchedThisRun += 1;
        inFlight.set(
          idx,
          launch(idx, p.model, p.params)
            .catch((err: unknown) => {
              if (!isCancellation(err)) fatal ??= err;
            })
            .finally(() => inFlight.delete(idx)),
        );
      }
      if (room > 0 && inFlight.size === 0) break;
    }
    if (onDemand && bestSoFar()) repeats = await repeatOnDemand(onDemand);
  } catch (err) {
    const status = isCancellation(err) ? 'cancelled' : 'failed';
    await CancellationScope.nonCancellable(async () => {
      await Promise.allSettled([...inFlight.values()]);
      setAttrs(status);
      await finishSearch({
        searchId,
        status,
        best: bestSoFar(),
        counts: counts(),
        error: status === 'failed' ? errorMessage(err) : undefined,
      });
    });
    throw err;
  }

  if (!bestSoFar()) {
    const first = finished.find((t) => t.error !== undefined)?.error ?? 'no trial completed';
    const broken = infeasible().length;
    const message =
      broken > 0 && ranked().length === 0 && rankCandidates(finished, true).length === broken
        ? `no configuration met the constraints (${broken} completed, each breaking at least one; least violation ${infeasible()[0]?.violation ?? 0})`
        : `no configuration completed all its folds (${finished.length} trials; first error: ${first})`;
    setAttrs('failed');
    await finishSearch({
      searchId,
      status: 'failed',
      best: undefined,
      counts: counts(),
      error: message,
    });
    throw ApplicationFailure.nonRetryable(message, 'NoTrialCompleted');
  }
  phase = 'comparing';
  const compared = compare();
  const comparison =
    compared && repeats
      ? { ...compared, verdict: `${compared.verdict.trimEnd()} ${repeatsSentence(repeats)}`, repeats }
      : compared;
  const best = bestSoFar();
  const pareto: ParetoEntry[] | undefined =
    objectives.length > 0 ? paretoEntries(ranked(), objectives, spec.seed) : undefined;
  let refit: SearchResult['refit'];
  if (spec.refit && best) {
    phase = 'refitting';
    const winner = finished.find((t) => t.trialId === best.trialId);
    const modelSpec = spec.models.find((m) => m.family === best.model);
    refit = await proxyActivities<FoldwiseActivities>({
      taskQueue: poolTaskQueue(spec.pool),
      startToCloseTimeout: '12h',
      heartbeatTimeout: '1m',
      retry: { maximumAttempts: 3 },
    }).refitBest.executeWithOptions({ summary: `refit ${best.model} on all training data` }, [
      {
        searchId,
        trialId: best.trialId,
        model: best.model,
        params: winner?.params ?? best.params,
        preprocess: modelSpec?.preprocess,
        dataset: input.dataset,
        cv: spec.cv,
        seed: spec.seed,
        task: plan.task,
        metrics,
      },
    ]);
  }
  phase = 'done';
  const result: SearchResult = {
    searchId,
    status: 'completed',
    best,
    leaderboard: leaderboard(),
    comparison,
    ...(pareto ? { pareto } : {}),
    refit,
    counts: counts(),
  };
  setAttrs('completed', best);
  await finishSearch({
    searchId,
    status: 'completed',
    best,
    counts: result.counts,
    comparison,
    ...(pareto ? { pareto } : {}),
    refit,
  });
  return result;
}
