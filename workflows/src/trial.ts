import {
  ApplicationFailure,
  CancellationScope,
  condition,
  type ExternalWorkflowHandle,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { FoldwiseActivities } from '@foldwise/activities';
import {
  FailureType,
  TaskQueue,
  poolTaskQueue,
  trialIdOf,
  type PruneEvidence,
  type TrainFoldSummary,
  type TrialInput,
  type TrialSummary,
} from '@foldwise/spec';
import { errorMessage } from './errors';
import {
  Patch,
  foldDoneSignal,
  foldsDoneSignal,
  pruneSignal,
  rungDecisionSignal,
  rungReportSignal,
} from './messages';

const controlRetry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 20,
} as const;
const control = proxyActivities<FoldwiseActivities>({
  taskQueue: TaskQueue.Control,
  startToCloseTimeout: '5m',
  retry: controlRetry,
});
const controlLocal = proxyLocalActivities<FoldwiseActivities>({
  startToCloseTimeout: '5m',
  retry: controlRetry,
});

/** Writes the trial's document: a local activity since {@link Patch.LocalBookkeeping}, a control-queue one before. */
const finishTrial: FoldwiseActivities['finishTrial'] = (input) =>
  (patched(Patch.LocalBookkeeping) ? controlLocal : control).finishTrial(input);

/** Short parameter rendering for activity summaries such as `mlp lr=0.003 fold 3/5`. */
export function describeParams(model: string, params: Record<string, unknown>): string {
  const parts = Object.entries(params)
    .slice(0, 4)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(3)) : JSON.stringify(v)}`);
  return [model, ...parts].join(' ');
}

/** Trains every fold of one configuration, rung by rung, and records the trial. */
export async function trialWorkflow(input: TrialInput): Promise<TrialSummary> {
  const { searchId, trialIndex, plan } = input;
  const trialId = trialIdOf(searchId, trialIndex);
  const parentId = workflowInfo().parent?.workflowId;
  const parent = parentId ? getExternalWorkflowHandle(parentId) : undefined;
  const training = proxyActivities<FoldwiseActivities>({
    taskQueue: poolTaskQueue(input.pool),
    startToCloseTimeout: '6h',
    heartbeatTimeout: '30s',
    cancellationType: 'WAIT_CANCELLATION_COMPLETED',
    retry: {
      initialInterval: '2s',
      backoffCoefficient: 2,
      maximumInterval: '1m',
      maximumAttempts: 6,
      nonRetryableErrorTypes: Object.values(FailureType),
    },
  });

  let pruned: PruneEvidence | undefined;
  const decisions = new Map<number, 'continue' | 'stop'>();
  let foldScope: CancellationScope | undefined;
  setHandler(pruneSignal, (evidence) => {
    if (pruned) return;
    pruned = evidence;
    foldScope?.cancel();
  });
  setHandler(rungDecisionSignal, ({ epoch, verdict }) => {
    decisions.set(epoch, verdict);
  });

  if (!input.repeat && !patched(Patch.TrialWrittenAtEnd)) {
    await control.recordTrialStart({
      searchId,
      trialIndex,
      model: input.model,
      params: input.params,
      nFolds: plan.nFolds,
    });
  }

  const latest = new Map<number, TrainFoldSummary>();
  const resumeRungs = input.rungs.length > 0 && patched(Patch.ResumeRungs);
  const finished = new Set<number>();
  const phases: (number | undefined)[] = input.rungs.length > 0 ? input.rungs : [undefined];
  const label = describeParams(input.model, input.params);
  let failure: string | undefined;
  // A further repeat keeps the folds its earlier repeats completed, so its result and document cover them all.
  for (const p of input.repeat?.prior ?? []) {
    latest.set(p.fold, {
      fold: p.fold,
      status: 'completed',
      metrics: p.metrics,
      primary: p.primary,
      epochsTrained: p.epochsTrained,
      durationMs: 0,
      attempt: 1,
      reused: true,
      backend: 'earlier repeat',
    });
    finished.add(p.fold);
  }
  /** Folds this run trains: a repeat's own folds, else every fold of the plan. */
  const toRun = input.repeat?.folds ?? Array.from({ length: plan.nFolds }, (_, f) => f);

  /** What `finishTrial` writes besides the outcome: the configuration, the plan and every completed fold's scores. */
  const trialRecord = () => ({
    searchId,
    trialIndex,
    primary: plan.primary,
    model: input.model,
    params: input.params,
    foldCount: plan.nFolds,
    testTrainRatio: plan.testTrainRatio,
    startedAt: workflowInfo().startTime.toISOString(),
    folds: [...latest.values()]
      .filter((f) => f.status === 'completed' && finished.has(f.fold))
      .sort((a, b) => a.fold - b.fold)
      .map((f) => ({ fold: f.fold, metrics: f.metrics, epochsTrained: f.epochsTrained })),
  });

  const runFold = async (fold: number, untilEpoch: number | undefined, last: boolean): Promise<void> => {
    const summary = await training.trainFold.executeWithOptions(
      {
        summary: `${label} fold ${fold + 1}/${plan.nFolds}${untilEpoch && !last ? ` to epoch ${untilEpoch}` : ''}`,
      },
      [
        {
          searchId,
          trialIndex,
          fold,
          nFolds: plan.nFolds,
          model: input.model,
          params: input.params,
          preprocess: input.preprocess,
          dataset: input.dataset,
          cv: input.cv,
          seed: input.seed,
          planHash: plan.planHash,
          task: plan.task,
          metrics: input.metrics,
          untilEpoch: last ? undefined : untilEpoch,
          ...(resumeRungs && latest.get(fold)?.pausedAt ? { resumeFrom: latest.get(fold)?.pausedAt } : {}),
          label,
        },
      ],
    );
    latest.set(fold, summary);
    if (summary.status === 'completed') {
      finished.add(fold);
      if (input.racing && parent) await reportFolds(parent, fold);
    }
  };

  /** Tells a racing search of finished folds: batched since {@link Patch.RacingBatchedReports}, one by one before. */
  const reported = new Set<number>();
  const reportFolds = async (to: ExternalWorkflowHandle, fold: number): Promise<void> => {
    if (!patched(Patch.RacingBatchedReports)) {
      await to.signal(foldDoneSignal, { trialIndex, fold, score: latest.get(fold)?.primary ?? Number.NaN });
      return;
    }
    if (finished.size < (input.racingMinFolds ?? 1) || finished.size >= plan.nFolds) return;
    const folds = [...finished]
      .filter((f) => !reported.has(f))
      .sort((a, b) => a - b)
      .map((f) => ({ fold: f, score: latest.get(f)?.primary ?? Number.NaN }));
    for (const f of folds) reported.add(f.fold);
    await to.signal(foldsDoneSignal, { trialIndex, folds });
  };

  try {
    for (let p = 0; p < phases.length && !pruned; p++) {
      const untilEpoch = phases[p];
      const last = p === phases.length - 1;
      const queue = toRun.filter((f) => !finished.has(f));
      foldScope = new CancellationScope();
      await foldScope.run(async () => {
        const lane = async (): Promise<void> => {
          for (let next = queue.shift(); next !== undefined && !pruned; next = queue.shift()) {
            try {
              await runFold(next, untilEpoch, last);
            } catch (err) {
              if (!isCancellation(err)) foldScope?.cancel();
              throw err;
            }
          }
        };
        const settled = await Promise.allSettled(
          Array.from({ length: Math.max(1, Math.min(input.foldConcurrency, queue.length)) }, lane),
        );
        // A failing fold cancels its siblings, so other lanes reject with cancellations; report the failure itself.
        const rejected = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        const failed = rejected.find((r) => !isCancellation(r.reason)) ?? rejected[0];
        if (failed) throw failed.reason;
      });
      if (pruned || last || untilEpoch === undefined) continue;
      const scores = [...latest.values()].map((s) => s.primary);
      const score = scores.reduce((a, b) => a + b, 0) / Math.max(1, scores.length);
      if (parent) {
        await parent.signal(rungReportSignal, { trialIndex, epoch: untilEpoch, score });
        await condition(() => decisions.has(untilEpoch) || pruned !== undefined);
      }
      if (decisions.get(untilEpoch) === 'stop') {
        pruned = { kind: 'scheduler', evidence: { epoch: untilEpoch, score, rungs: input.rungs } };
        await control.finalizePartialFolds({
          searchId,
          trialIndex,
          folds: [...latest.keys()].filter((f) => !finished.has(f)),
          reason: 'scheduler',
          epoch: untilEpoch,
        });
      }
    }
  } catch (err) {
    if (isCancellation(err) && !pruned && CancellationScope.current().consideredCancelled) {
      await CancellationScope.nonCancellable(() =>
        finishTrial({
          ...trialRecord(),
          status: 'cancelled',
          foldsSkipped: [],
          prunedBy: undefined,
          error: undefined,
        }),
      );
      throw err;
    } else if (!isCancellation(err) || !pruned) {
      failure = errorMessage(err);
    }
  }

  if (pruned && finished.size === plan.nFolds) pruned = undefined;
  const status = failure !== undefined ? 'failed' : pruned ? 'pruned' : 'completed';
  const foldsSkipped = Array.from({ length: plan.nFolds }, (_, f) => f).filter((f) => !finished.has(f));
  // A repeat that could not finish leaves the trial as its earlier repeats wrote it; the search keeps that result.
  if (input.repeat && status !== 'completed')
    throw ApplicationFailure.nonRetryable(
      `repeat ${input.repeat.index + 1} did not complete: ${failure ?? status}`,
      'RepeatFailed',
    );
  const aggregate = await finishTrial({
    ...trialRecord(),
    ...(input.repeat ? { repeats: input.repeat.index + 1 } : {}),
    status,
    foldsSkipped: status === 'completed' ? [] : foldsSkipped,
    prunedBy: pruned,
    error: failure,
  });
  const foldScores = Array.from({ length: plan.nFolds }, (_, f) =>
    finished.has(f) ? (latest.get(f)?.primary ?? null) : null,
  );
  if (status === 'failed' && failure === undefined)
    throw ApplicationFailure.nonRetryable('trial failed', 'TrialFailed');
  const foldMetrics = input.foldMetrics?.map(
    (name) =>
      [
        name,
        Array.from({ length: plan.nFolds }, (_, f) =>
          finished.has(f) ? (latest.get(f)?.metrics[name] ?? null) : null,
        ),
      ] as const,
  );
  return {
    trialIndex,
    trialId,
    model: input.model,
    params: input.params,
    status,
    foldScores,
    metrics: aggregate.metrics,
    ...(foldMetrics ? { foldMetrics: Object.fromEntries(foldMetrics) } : {}),
    epochsTrained: aggregate.epochsTrained,
    prunedBy: pruned,
    error: failure,
    ...(input.keepFolds
      ? {
          folds: [...finished]
            .sort((a, b) => a - b)
            .map((f) => {
              const s = latest.get(f);
              return {
                fold: f,
                primary: s?.primary ?? Number.NaN,
                metrics: s?.metrics ?? {},
                epochsTrained: s?.epochsTrained ?? 0,
              };
            }),
        }
      : {}),
  };
}
