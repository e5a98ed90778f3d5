import {
  FoldStatus,
  foldIdOf,
  trialIdOf,
  type MetricSummary,
  type PruneEvidence,
  type TrialDoc,
} from '@foldwise/spec';
import { summarizeFolds } from './aggregate';
import type { BestScoreTracker } from './best';
import { checkpointPrefix } from './fold';
import type { ActivityDeps } from './ports';
import { now } from './shared';

/** What `finishTrial` is told of one completed fold. */
export interface FinishedFold {
  fold: number;
  metrics: Record<string, number>;
  epochsTrained: number;
}

/** Input of `finishTrial`. */
export interface FinishTrialInput {
  searchId: string;
  trialIndex: number;
  status: 'completed' | 'pruned' | 'failed' | 'cancelled';
  foldsSkipped: number[];
  prunedBy: PruneEvidence | undefined;
  error: string | undefined;
  /** The search's primary metric, to keep `foldwise_search_best_score` at the best trial so far. */
  primary?: { name: string; greaterIsBetter: boolean } | undefined;
  /**
   * The trial's completed folds as the workflow saw them, its configuration and plan. Histories recorded before
   * these fields existed omit them; the trial is then rebuilt from its stored folds.
   */
  folds?: FinishedFold[] | undefined;
  model?: string | undefined;
  params?: Record<string, unknown> | undefined;
  foldCount?: number | undefined;
  testTrainRatio?: number | undefined;
  /** When the trial workflow started (workflow time). */
  startedAt?: string | undefined;
  /**
   * Repeats on demand: the k-fold repeats the folds now cover (2 or more). The trial was written when its first
   * repeat ended; this write replaces that document with every fold, and the trial is not counted again.
   */
  repeats?: number | undefined;
}

type TrialDeps = Pick<ActivityDeps, 'store' | 'events' | 'telemetry'>;

/** The trial role: records a trial once, when it ends, with its fold aggregates, and announces it. */
export const createTrialActivities = (deps: TrialDeps, best: BestScoreTracker) => {
  const { store, events, telemetry } = deps;

  /** The trial document from the workflow's fold results (or, for older histories, from the stored folds). */
  async function trialDocOf(input: FinishTrialInput): Promise<TrialDoc> {
    const trialId = trialIdOf(input.searchId, input.trialIndex);
    let folds = input.folds;
    let model = input.model;
    let params = input.params;
    if (folds === undefined || model === undefined || params === undefined) {
      const stored = (await store.foldsOfTrial(trialId)).filter((f) => f.status === FoldStatus.Completed);
      folds = stored.map((f) => ({ fold: f.fold, metrics: f.metrics, epochsTrained: f.epochsTrained }));
      model ??= stored[0]?.model ?? 'unknown';
      params ??= stored[0]?.params ?? {};
    }
    const at = now();
    const foldCount = input.foldCount ?? Math.max(folds.length, ...folds.map((f) => f.fold + 1));
    return {
      _id: trialId,
      searchId: input.searchId,
      trialIndex: input.trialIndex,
      model,
      params,
      status: input.status,
      foldCount,
      foldsCompleted: folds.length,
      metrics: summarizeFolds(folds, { testTrainRatio: input.testTrainRatio }),
      epochsTrained: folds.reduce((sum, f) => sum + f.epochsTrained, 0),
      ...(input.foldsSkipped.length > 0 ? { foldsSkipped: input.foldsSkipped } : {}),
      ...(input.repeats !== undefined ? { repeats: input.repeats } : {}),
      ...(input.prunedBy ? { prunedBy: input.prunedBy } : {}),
      ...(input.error !== undefined ? { error: input.error } : {}),
      createdAt: input.startedAt ?? at,
      updatedAt: at,
      finishedAt: at,
    };
  }

  return {
    /** Kept for histories recorded before trials were written once at their end: writes nothing. */
    async recordTrialStart(_input: {
      searchId: string;
      trialIndex: number;
      model: string;
      params: Record<string, unknown>;
      nFolds: number;
    }): Promise<void> {},

    /** Announces folds a scheduler stopped at a rung; their partial training leaves no fold document. */
    async finalizePartialFolds(input: {
      searchId: string;
      trialIndex: number;
      folds: number[];
      reason: 'scheduler';
      epoch: number;
    }): Promise<void> {
      for (const fold of input.folds) {
        void store
          .removeArtifacts(checkpointPrefix(foldIdOf(input.searchId, input.trialIndex, fold)))
          .catch(() => undefined);
        events.publish({
          kind: 'pruned',
          searchId: input.searchId,
          ts: now(),
          trialIndex: input.trialIndex,
          fold,
          payload: { kind: 'scheduler', evidence: { epoch: input.epoch } },
        });
      }
    },

    /** Aggregates a trial's folds in TypeScript, writes the trial document once and publishes the outcome. */
    async finishTrial(
      input: FinishTrialInput,
    ): Promise<{ metrics: Record<string, MetricSummary>; epochsTrained: number }> {
      const doc = await trialDocOf(input);
      if (input.repeats !== undefined && input.repeats > 1) {
        await store.replaceTrial(doc);
      } else {
        await store.insertTrial(doc);
        telemetry.trialFinished(input.status);
      }
      const mean = input.primary ? doc.metrics[input.primary.name]?.mean : undefined;
      if (input.status === 'completed' && input.primary && mean !== undefined) {
        best.offer(input.searchId, input.primary, mean);
      }
      if (input.prunedBy) {
        events.publish({
          kind: 'pruned',
          searchId: input.searchId,
          ts: now(),
          trialIndex: input.trialIndex,
          payload: input.prunedBy,
        });
      }
      events.publish({
        kind: 'trial',
        searchId: input.searchId,
        ts: now(),
        trialIndex: input.trialIndex,
        payload: {
          status: input.status,
          model: doc.model,
          params: doc.params as Record<string, never>,
          metrics: Object.fromEntries(Object.entries(doc.metrics).map(([k, v]) => [k, v.mean])),
          ...(input.error !== undefined ? { error: input.error } : {}),
        },
      });
      return { metrics: doc.metrics, epochsTrained: doc.epochsTrained };
    },
  };
};
