import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { CostMetric, confusionMatrix, isCostMetric, scoreAll } from '@foldwise/metrics';
import {
  FailureType,
  foldIdOf,
  trialIdOf,
  type FoldCheckpointRef,
  type FoldDoc,
  type TrainFoldInput,
  type TrainFoldSummary,
} from '@foldwise/spec';
import { createFoldDataCache } from './fold-data';
import type { ActivityDeps, EpochProgress, TrainerJob } from './ports';
import { finiteOrNull, loadData, nonRetryable, now, scorerInput } from './shared';

/** Heartbeat details of `trainFold`: the last epoch reached and the checkpoint to resume from. */
export interface FoldHeartbeat {
  epoch: number;
  checkpoint?: string | undefined;
  checkpointEpoch?: number | undefined;
}

/** Where every checkpoint of one fold lives, across attempts. */
export function checkpointPrefix(foldId: string): string {
  return `checkpoints/${foldId}/`;
}

const checkpointName = (foldId: string, attempt: number, epoch: number): string =>
  `${checkpointPrefix(foldId)}attempt-${attempt}/epoch-${epoch}`;

/** Default bound of the per-process fold-matrix cache. */
export const DEFAULT_FOLD_CACHE_BYTES = 256 * 1024 * 1024;

/** The fold's seed: the search seed, trial and fold mixed, so every fold of every trial draws its own stream. */
const foldSeed = (input: TrainFoldInput): number =>
  (input.seed * 1_000_003 + input.trialIndex * 7919 + input.fold) >>> 0;

type FoldDeps = Pick<
  ActivityDeps,
  | 'store'
  | 'events'
  | 'telemetry'
  | 'data'
  | 'trainer'
  | 'worker'
  | 'checkpointEvery'
  | 'checkpointMinMs'
  | 'heartbeatMs'
  | 'epochEventMs'
  | 'foldCacheBytes'
  | 'faults'
>;

/** The fold role: trains and scores one fold, writing its document once. */
export const createFoldActivities = (deps: FoldDeps) => {
  const { store, events, telemetry, trainer } = deps;
  const fault = deps.faults ?? { point: () => undefined };
  const foldData = createFoldDataCache(deps.foldCacheBytes ?? DEFAULT_FOLD_CACHE_BYTES);
  const epochEventMs = deps.epochEventMs ?? 1000;

  /** Removes a finished fold's checkpoints after the activity returns (housekeeping; a miss only costs space). */
  const dropCheckpoints = (foldId: string): void => {
    void store.removeArtifacts(checkpointPrefix(foldId)).catch(() => undefined);
  };

  /** Publishes a stored fold's `fold` event (deduplicated by message id) and returns its compact summary. */
  function announceFold(input: TrainFoldInput, doc: FoldDoc, reused: boolean): TrainFoldSummary {
    events.publish({
      kind: 'fold',
      searchId: input.searchId,
      ts: now(),
      trialIndex: input.trialIndex,
      fold: input.fold,
      attempt: doc.attempt,
      payload: {
        status: 'completed',
        model: input.model,
        metrics: doc.metrics,
        epochsTrained: doc.epochsTrained,
        durationMs: doc.durationMs,
        worker: doc.worker,
        backend: doc.backend,
      },
    });
    return {
      fold: input.fold,
      status: 'completed',
      metrics: doc.metrics,
      primary: doc.metrics[input.metrics[0] as string] ?? Number.NaN,
      epochsTrained: doc.epochsTrained,
      durationMs: doc.durationMs,
      attempt: doc.attempt,
      reused,
      backend: doc.backend,
    };
  }

  return {
    /**
     * Trains and scores one fold; resumes from its last checkpoint on retry; writes the fold once. A first attempt
     * writes without reading first (the write is the idempotency check); a retry first looks for a fold an earlier
     * attempt finished, so a fold whose completion was lost is not trained again.
     */
    async trainFold(input: TrainFoldInput): Promise<TrainFoldSummary> {
      const ctx = Context.current();
      const { attempt } = ctx.info;
      const foldId = foldIdOf(input.searchId, input.trialIndex, input.fold);
      fault.point('fold-start', { foldId, attempt, input });
      if (attempt > 1) {
        telemetry.foldRetried();
        const existing = await store.getFold(foldId);
        if (existing && existing.status === 'completed') return announceFold(input, existing, true);
      }
      const started = Date.now();
      const ds = await loadData(deps.data, input.dataset);
      const { plan, matrices } = foldData.get(ds, input.cv, input.seed, input.fold, input.preprocess);
      if (plan.hash !== input.planHash) {
        throw nonRetryable(
          FailureType.PlanMismatch,
          `fold plan ${plan.hash} differs from the search's ${input.planHash}: the data or the splitter changed`,
        );
      }
      if (!matrices) {
        throw nonRetryable(
          FailureType.InvalidSpec,
          `fold ${input.fold} does not exist (the plan has ${plan.folds.length})`,
        );
      }

      const hb = (ctx.info.heartbeatDetails ?? undefined) as FoldHeartbeat | undefined;
      const from: FoldCheckpointRef | undefined =
        hb?.checkpoint && hb.checkpointEpoch !== undefined
          ? { checkpoint: hb.checkpoint, epoch: hb.checkpointEpoch }
          : input.resumeFrom;
      let resumeFrom: TrainerJob['resumeFrom'];
      if (from) {
        const bytes = await store.getArtifact(from.checkpoint);
        if (bytes) resumeFrom = { epoch: from.epoch, bytes };
      }
      if (resumeFrom) fault.point('fold-resume', { foldId, attempt, epoch: resumeFrom.epoch });
      let last: FoldHeartbeat = {
        epoch: resumeFrom?.epoch ?? 0,
        checkpoint: resumeFrom ? from?.checkpoint : hb?.checkpoint,
        checkpointEpoch: resumeFrom?.epoch,
      };
      const beat = () => ctx.heartbeat(last);
      const ticker = setInterval(beat, deps.heartbeatMs);
      telemetry.foldStarted(input.model);
      let epochsSeen = resumeFrom?.epoch ?? 0;
      let lastEpochEvent = started;
      const nTrain = matrices.indices.train.length;
      const job: TrainerJob = {
        family: input.model,
        params: input.params,
        task: ds.task,
        nFeatures: ds.nFeatures,
        inputShape: ds.imageShape,
        nClasses: ds.classes?.length ?? 0,
        xTrain: matrices.xTrain,
        yTrain: matrices.yTrain,
        xVal: matrices.xVal,
        yVal: matrices.yVal,
        seed: foldSeed(input),
        untilEpoch: input.untilEpoch,
        resumeFrom,
      };
      let result;
      try {
        result = await trainer.train(job, {
          signal: ctx.cancellationSignal,
          checkpointEvery: deps.checkpointEvery,
          ...(deps.checkpointMinMs !== undefined ? { checkpointMinMs: deps.checkpointMinMs } : {}),
          onEpoch: (e: EpochProgress) => {
            telemetry.epochsTrained(input.model, e.epoch - epochsSeen, nTrain);
            epochsSeen = e.epoch;
            fault.point('fold-epoch', { foldId, attempt, epoch: e.epoch });
            last = { ...last, epoch: e.epoch };
            const t = Date.now();
            if (t - lastEpochEvent < epochEventMs) return;
            lastEpochEvent = t;
            events.publish({
              kind: 'epoch',
              searchId: input.searchId,
              ts: now(),
              trialIndex: input.trialIndex,
              fold: input.fold,
              epoch: e.epoch,
              attempt,
              payload: {
                trainLoss: finiteOrNull(e.trainLoss),
                valLoss: finiteOrNull(e.valLoss),
                valScore: finiteOrNull(e.valScore),
              },
            });
          },
          onCheckpoint: async (c) => {
            const name = checkpointName(foldId, attempt, c.epoch);
            await store.putArtifact(name, c.bytes, { foldId, epoch: c.epoch, attempt, kind: 'checkpoint' });
            last = { epoch: c.epoch, checkpoint: name, checkpointEpoch: c.epoch };
            beat();
            fault.point('fold-checkpoint', { foldId, attempt, epoch: c.epoch });
          },
        });
      } catch (err) {
        const seconds = (Date.now() - started) / 1000;
        if (ctx.cancellationSignal.aborted) {
          telemetry.foldFinished(input.model, 'cancelled', seconds);
          if (ctx.cancellationDetails?.workerShutdown) {
            throw ApplicationFailure.retryable(
              `worker ${deps.worker.identity} shut down: fold handed back at epoch ${last.epoch} (resumes from epoch ${last.checkpointEpoch ?? 0})`,
              'WorkerShutdown',
            );
          }
          throw new CancelledFailure('fold cancelled');
        }
        telemetry.foldFinished(input.model, 'failed', seconds);
        const e = err as Error;
        if (
          e?.name === 'ModelError' ||
          e?.name === 'ZodError' ||
          /shape|incompatible|invalid param/i.test(e?.message ?? '')
        ) {
          throw nonRetryable(FailureType.ModelError, `${input.model}: ${e.message}`);
        }
        throw err;
      } finally {
        clearInterval(ticker);
      }
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('fold cancelled');

      // A worker holds one fold more than it has slots, so a slot never waits for Temporal: that wait is not the fold's.
      const durationMs = Date.now() - started - (result.queuedMs ?? 0);
      const nVal = matrices.indices.test.length;
      const scored = scoreAll(
        input.metrics.filter((m) => !isCostMetric(m)),
        scorerInput(ds, matrices.yVal, result.valPred, result.valProba),
      );
      const costs: Record<string, number | undefined> = {
        [CostMetric.PredictMsPer1k]:
          result.predictMs !== undefined && nVal > 0 ? (1000 * result.predictMs) / nVal : undefined,
        [CostMetric.ParamCount]: result.paramCount,
        [CostMetric.TrainSeconds]: (result.durationMs ?? durationMs) / 1000,
      };
      const metrics: Record<string, number> = {};
      for (const m of input.metrics) {
        const v = isCostMetric(m) ? costs[m] : scored[m];
        if (v !== undefined) metrics[m] = v;
      }
      const partial =
        input.untilEpoch !== undefined && !result.stoppedEarly && result.epochsTrained >= input.untilEpoch;
      const primary = metrics[input.metrics[0] as string] ?? Number.NaN;
      if (partial) {
        const pausedAt =
          last.checkpoint && last.checkpointEpoch === result.epochsTrained
            ? { checkpoint: last.checkpoint, epoch: result.epochsTrained }
            : undefined;
        return {
          fold: input.fold,
          status: 'partial',
          metrics,
          primary,
          epochsTrained: result.epochsTrained,
          durationMs,
          attempt,
          reused: false,
          backend: result.backend,
          pausedAt,
        };
      }
      const createdAt = now();
      const doc: FoldDoc = {
        _id: foldId,
        searchId: input.searchId,
        trialId: trialIdOf(input.searchId, input.trialIndex),
        trialIndex: input.trialIndex,
        fold: input.fold,
        model: input.model,
        params: input.params,
        status: 'completed',
        metrics,
        ...(ds.task === 'classification'
          ? {
              confusionMatrix: confusionMatrix(matrices.yVal, result.valPred, {
                labels: Array.from({ length: ds.classes?.length ?? 0 }, (_, i) => i),
              }),
            }
          : {}),
        curve: result.curve,
        epochsTrained: result.epochsTrained,
        splitHash: input.planHash,
        backend: result.backend,
        worker: deps.worker.identity,
        attempt,
        ...(resumeFrom ? { resumedFromEpoch: resumeFrom.epoch } : {}),
        durationMs,
        ...(result.cpuMs !== undefined ? { trainCpuMs: result.cpuMs } : {}),
        nTrain,
        nVal,
        createdAt,
        updatedAt: createdAt,
      } as FoldDoc;
      const written = await store.recordFold(doc);
      fault.point('fold-written', { foldId, attempt, written: written.written });
      if (last.checkpoint || resumeFrom) dropCheckpoints(foldId);
      const kept = written.written ? doc : (written.existing ?? doc);
      telemetry.foldFinished(input.model, 'completed', durationMs / 1000);
      return announceFold(input, kept, !written.written);
    },
  };
};
