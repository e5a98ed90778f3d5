import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { confusionMatrix, getScorer, scoreAll } from '@foldwise/metrics';
import { stableHash } from '@foldwise/selection';
import {
  FailureType,
  foldDocId,
  trialDocId,
  type ComparisonResult,
  type CvSpec,
  type FoldCheckpointRef,
  type FoldDoc,
  type FoldwiseEvent,
  type MetricSummary,
  type PreprocessSpec,
  type PruneEvidence,
  type RefitResult,
  type ResolvedDataset,
  type SearchPlan,
  type SearchResult,
  type SearchSpec,
  type TrainFoldInput,
  type TrainFoldSummary,
} from '@foldwise/spec';
import { faultPoint } from './faults';
import { planFolds } from './plan';
import type { ActivityDeps, EpochProgress, LoadedDataset, TrainerJob } from './ports';
import { gatherLabels, preprocessFold } from './preprocess';

/** Heartbeat details of `trainFold`: the last epoch reached and the checkpoint to resume from. */
export interface FoldHeartbeat {
  epoch: number;
  checkpoint?: string | undefined;
  checkpointEpoch?: number | undefined;
}

const now = () => new Date().toISOString();

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function toSearchCounts(c: SearchResult['counts'] | undefined) {
  return {
    trials: c?.trials ?? 0,
    trialsCompleted: c?.completed ?? 0,
    trialsPruned: c?.pruned ?? 0,
    trialsFailed: c?.failed ?? 0,
    folds: (c?.foldsRun ?? 0) + (c?.foldsSkipped ?? 0),
    foldsCompleted: c?.foldsRun ?? 0,
  };
}

function nonRetryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

function scorerInput(
  ds: LoadedDataset,
  yTrue: Float64Array,
  pred: Float64Array,
  proba: Float32Array | undefined,
) {
  if (ds.task === 'regression') return { yTrue, yPred: pred };
  const k = ds.classes?.length ?? 0;
  const rows: number[][] | undefined = proba
    ? Array.from({ length: yTrue.length }, (_, i) => Array.from(proba.subarray(i * k, (i + 1) * k)))
    : undefined;
  const labels = Array.from({ length: k }, (_, i) => i);
  return { yTrue, yPred: pred, labels, ...(rows ? { proba: rows } : {}) };
}

function checkpointName(foldId: string, attempt: number, epoch: number): string {
  return `${checkpointPrefix(foldId)}attempt-${attempt}/epoch-${epoch}`;
}

/** Where every checkpoint of one fold lives, across attempts. */
export function checkpointPrefix(foldId: string): string {
  return `checkpoints/${foldId}/`;
}

/** Builds foldwise's activities around injected dependencies (store, events, trainer, data, telemetry). */
export const createActivities = (deps: ActivityDeps) => {
  const { store, events, telemetry, data, trainer } = deps;
  const publish = (e: FoldwiseEvent) => events.publish(e);
  /** Best primary mean of a completed trial this worker recorded, per search (it exports it as the search's best so far). */
  const bestSeen = new Map<string, number>();
  /**
   * Removes a finished fold's checkpoints (every attempt's) once its result is stored, so GridFS holds checkpoints
   * of unfinished folds only. Runs after the activity returns: it is housekeeping, the store adapter logs a failure,
   * and a checkpoint it misses is only space (no later read can pick it: a finished fold is never trained again).
   */
  const dropCheckpoints = (foldId: string): void => {
    void store.removeArtifacts(checkpointPrefix(foldId)).catch(() => undefined);
  };

  /** Publishes a stored fold's `fold` event (deduplicated by message id) and returns its compact summary. */
  function announceFold(input: TrainFoldInput, doc: FoldDoc, reused: boolean): TrainFoldSummary {
    publish({
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

  async function loadData(ref: ResolvedDataset): Promise<LoadedDataset> {
    try {
      return await data.load(ref);
    } catch (err) {
      const e = err as Error & { name?: string };
      if (e?.name === 'DatasetError') throw nonRetryable(FailureType.InvalidData, e.message);
      throw err;
    }
  }

  return {
    /** Loads the data once, checks the folds are possible, fixes the plan and records the search. */
    async prepareSearch(input: {
      searchId: string;
      spec: SearchSpec;
      dataset: ResolvedDataset;
    }): Promise<SearchPlan> {
      const { searchId, spec } = input;
      const ds = await loadData(input.dataset);
      const task = spec.task ?? ds.task;
      if (task !== ds.task)
        throw nonRetryable(
          FailureType.InvalidSpec,
          `task: the spec says ${task} but the dataset is a ${ds.task} dataset`,
        );
      let primary;
      try {
        primary = getScorer(spec.metrics.primary);
        for (const m of spec.metrics.report) getScorer(m);
      } catch (err) {
        throw nonRetryable(FailureType.InvalidSpec, `metrics: ${(err as Error).message}`);
      }
      if (primary.task !== task) {
        throw nonRetryable(
          FailureType.InvalidSpec,
          `metrics.primary: ${primary.name} is a ${primary.task} metric but the task is ${task}`,
        );
      }
      let plan;
      try {
        plan = planFolds(ds, spec.cv, spec.seed);
      } catch (err) {
        throw nonRetryable(FailureType.InvalidData, `cv: ${(err as Error).message}`);
      }
      const searchPlan: SearchPlan = {
        datasetHash: ds.hash,
        task,
        nSamples: plan.pool.length,
        nFeatures: ds.nFeatures,
        nClasses: ds.classes?.length ?? 0,
        classes: ds.classes ?? [],
        imageShape: ds.imageShape,
        nFolds: plan.folds.length,
        planHash: plan.hash,
        nHeldOut: plan.holdout.length + (ds.heldOut?.nSamples ?? 0),
        testTrainRatio: plan.testTrainRatio,
        primary: { name: primary.name, greaterIsBetter: primary.greaterIsBetter },
      };
      await store.createSearch({
        _id: searchId,
        name: spec.name,
        spec: spec as unknown as Record<string, unknown>,
        specHash: stableHash(spec),
        datasetHash: ds.hash,
      });
      await store.updateSearch(searchId, { plan: searchPlan } as never);
      publish({
        kind: 'started',
        searchId,
        ts: now(),
        payload: {
          name: spec.name,
          models: spec.models.map((m) => m.family),
          plannedTrials: spec.budget.trials,
          foldsPerTrial: plan.folds.length,
        },
      });
      return searchPlan;
    },

    /** Records that a trial started (idempotent upsert by trial id). */
    async recordTrialStart(input: {
      searchId: string;
      trialIndex: number;
      model: string;
      params: Record<string, unknown>;
      nFolds: number;
    }): Promise<void> {
      await store.upsertTrialStart({
        _id: trialDocId(input.searchId, input.trialIndex),
        searchId: input.searchId,
        trialIndex: input.trialIndex,
        model: input.model,
        params: input.params,
        foldCount: input.nFolds,
      });
    },

    /** Trains and scores one fold; resumes from its last checkpoint on retry; writes the fold once. */
    async trainFold(input: TrainFoldInput): Promise<TrainFoldSummary> {
      const ctx = Context.current();
      const { attempt } = ctx.info;
      const foldId = foldDocId(input.searchId, input.trialIndex, input.fold);
      faultPoint('fold-start', { foldId, attempt, input });
      const existing = await store.getFold(foldId);
      if (existing && existing.status === 'completed') return announceFold(input, existing, true);
      if (attempt > 1) telemetry.foldRetried();
      const started = Date.now();
      const ds = await loadData(input.dataset);
      const plan = planFolds(ds, input.cv, input.seed);
      if (plan.hash !== input.planHash) {
        throw nonRetryable(
          FailureType.PlanMismatch,
          `fold plan ${plan.hash} differs from the search's ${input.planHash}: the data or the splitter changed`,
        );
      }
      const fold = plan.folds[input.fold];
      if (!fold)
        throw nonRetryable(
          FailureType.InvalidSpec,
          `fold ${input.fold} does not exist (the plan has ${plan.folds.length})`,
        );
      const { xTrain, xVal } = preprocessFold(ds, fold.train, fold.test, input.preprocess);
      const yTrain = gatherLabels(ds.y, fold.train);
      const yVal = gatherLabels(ds.y, fold.test);

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
      if (resumeFrom) faultPoint('fold-resume', { foldId, attempt, epoch: resumeFrom.epoch });
      let last: FoldHeartbeat = {
        epoch: resumeFrom?.epoch ?? 0,
        checkpoint: resumeFrom ? from?.checkpoint : hb?.checkpoint,
        checkpointEpoch: resumeFrom?.epoch,
      };
      const beat = () => ctx.heartbeat(last);
      beat();
      const ticker = setInterval(beat, deps.heartbeatMs);
      telemetry.foldStarted(input.model);
      let epochsSeen = resumeFrom?.epoch ?? 0;
      let lastCheckpointAt = Date.now();
      const nTrain = fold.train.length;
      const job: TrainerJob = {
        family: input.model,
        params: input.params,
        task: ds.task,
        nFeatures: ds.nFeatures,
        inputShape: ds.imageShape,
        nClasses: ds.classes?.length ?? 0,
        xTrain,
        yTrain,
        xVal,
        yVal: yVal.slice(),
        seed: (input.seed * 1_000_003 + input.trialIndex * 7919 + input.fold) >>> 0,
        untilEpoch: input.untilEpoch,
        resumeFrom,
      };
      let result;
      try {
        result = await trainer.train(job, {
          signal: ctx.cancellationSignal,
          checkpointEvery: deps.checkpointEvery,
          onEpoch: (e: EpochProgress) => {
            telemetry.epochsTrained(input.model, e.epoch - epochsSeen, nTrain);
            epochsSeen = e.epoch;
            faultPoint('fold-epoch', { foldId, attempt, epoch: e.epoch });
            last = { ...last, epoch: e.epoch };
            beat();
            publish({
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
            const pausing = input.untilEpoch !== undefined && c.epoch >= input.untilEpoch;
            if (!pausing && Date.now() - lastCheckpointAt < (deps.checkpointMinMs ?? 0)) return;
            lastCheckpointAt = Date.now();
            const name = checkpointName(foldId, attempt, c.epoch);
            await store.putArtifact(name, c.bytes, { foldId, epoch: c.epoch, attempt, kind: 'checkpoint' });
            last = { epoch: c.epoch, checkpoint: name, checkpointEpoch: c.epoch };
            beat();
            faultPoint('fold-checkpoint', { foldId, attempt, epoch: c.epoch });
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

      const metrics = scoreAll(input.metrics, scorerInput(ds, yVal, result.valPred, result.valProba));
      const durationMs = Date.now() - started;
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
      const doc: FoldDoc = {
        _id: foldId,
        searchId: input.searchId,
        trialId: trialDocId(input.searchId, input.trialIndex),
        trialIndex: input.trialIndex,
        fold: input.fold,
        model: input.model,
        params: input.params,
        status: 'completed',
        metrics,
        ...(ds.task === 'classification'
          ? {
              confusionMatrix: confusionMatrix(yVal, result.valPred, {
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
        nTrain: fold.train.length,
        nVal: fold.test.length,
        createdAt: now(),
        updatedAt: now(),
      } as FoldDoc;
      const written = await store.recordFold(doc);
      faultPoint('fold-written', { foldId, attempt, written: written.written });
      if (last.checkpoint || resumeFrom) dropCheckpoints(foldId);
      const kept = written.written ? doc : (written.existing ?? doc);
      telemetry.foldFinished(input.model, 'completed', durationMs / 1000);
      return announceFold(input, kept, !written.written);
    },

    /** Announces folds a scheduler stopped at a rung; their partial training leaves no fold document. */
    async finalizePartialFolds(input: {
      searchId: string;
      trialIndex: number;
      folds: number[];
      reason: 'scheduler';
      epoch: number;
    }): Promise<void> {
      for (const fold of input.folds) {
        dropCheckpoints(foldDocId(input.searchId, input.trialIndex, fold));
        publish({
          kind: 'pruned',
          searchId: input.searchId,
          ts: now(),
          trialIndex: input.trialIndex,
          fold,
          payload: { kind: 'scheduler', evidence: { epoch: input.epoch } },
        });
      }
    },

    /** Aggregates a trial's folds in TypeScript, records its outcome and publishes it. */
    async finishTrial(input: {
      searchId: string;
      trialIndex: number;
      status: 'completed' | 'pruned' | 'failed' | 'cancelled';
      foldsSkipped: number[];
      prunedBy: PruneEvidence | undefined;
      error: string | undefined;
      /** The search's primary metric, to keep `foldwise_search_best_score` at the best trial so far (absent in older histories). */
      primary?: { name: string; greaterIsBetter: boolean } | undefined;
    }): Promise<{ metrics: Record<string, MetricSummary>; epochsTrained: number }> {
      const agg = await store.finishTrial(trialDocId(input.searchId, input.trialIndex), {
        status: input.status,
        foldsSkipped: input.foldsSkipped,
        ...(input.prunedBy ? { prunedBy: input.prunedBy } : {}),
        ...(input.error !== undefined ? { error: input.error } : {}),
      });
      telemetry.trialFinished(input.status);
      const mean = input.primary ? agg.metrics[input.primary.name]?.mean : undefined;
      if (input.status === 'completed' && input.primary && mean !== undefined && Number.isFinite(mean)) {
        const sign = input.primary.greaterIsBetter ? 1 : -1;
        const prev = bestSeen.get(input.searchId);
        if (prev === undefined || sign * mean > sign * prev) {
          bestSeen.set(input.searchId, mean);
          telemetry.bestScore(input.searchId, input.primary.name, mean);
        }
      }
      if (input.prunedBy) {
        publish({
          kind: 'pruned',
          searchId: input.searchId,
          ts: now(),
          trialIndex: input.trialIndex,
          payload: input.prunedBy,
        });
      }
      publish({
        kind: 'trial',
        searchId: input.searchId,
        ts: now(),
        trialIndex: input.trialIndex,
        payload: {
          status: input.status,
          model: agg.model,
          params: agg.params as Record<string, never>,
          metrics: Object.fromEntries(Object.entries(agg.metrics).map(([k, v]) => [k, v.mean])),
          ...(input.error !== undefined ? { error: input.error } : {}),
        },
      });
      return { metrics: agg.metrics, epochsTrained: agg.epochsTrained };
    },

    /** Refits the winner on all cross-validation data, scores the held-out set once, stores the model. */
    async refitBest(input: {
      searchId: string;
      trialId: string;
      model: string;
      params: Record<string, unknown>;
      preprocess?: PreprocessSpec | undefined;
      dataset: ResolvedDataset;
      cv: CvSpec;
      seed: number;
      task: 'classification' | 'regression';
      metrics: string[];
    }): Promise<RefitResult> {
      const ctx = Context.current();
      const searched = await loadData(input.dataset);
      const fullData =
        'builtin' in input.dataset && input.dataset.subset !== undefined && searched.heldOut !== undefined;
      const ds = fullData
        ? await loadData({ builtin: (input.dataset as { builtin: string }).builtin })
        : searched;
      const plan = fullData
        ? { pool: Uint32Array.from({ length: ds.nSamples }, (_, i) => i), holdout: new Uint32Array(0) }
        : planFolds(ds, input.cv, input.seed);
      const artifactName = `models/${input.searchId}/${input.trialId}`;
      let xTest: Float32Array | undefined;
      let yTest: Float64Array | undefined;
      let xTrain: Float32Array;
      const yTrain = gatherLabels(ds.y, plan.pool);
      if (plan.holdout.length > 0) {
        const p = preprocessFold(ds, plan.pool, plan.holdout, input.preprocess);
        xTrain = p.xTrain;
        xTest = p.xVal;
        yTest = gatherLabels(ds.y, plan.holdout);
      } else if (ds.heldOut) {
        const p = preprocessFold(ds, plan.pool, plan.pool.subarray(0, 0), input.preprocess, ds.heldOut.X);
        xTrain = p.xTrain;
        xTest = p.xExtra;
        yTest = ds.heldOut.y;
      } else {
        xTrain = preprocessFold(ds, plan.pool, plan.pool.subarray(0, 0), input.preprocess).xTrain;
      }
      const ticker = setInterval(() => ctx.heartbeat(), deps.heartbeatMs);
      try {
        const res = await trainer.refit(
          {
            family: input.model,
            params: input.params,
            task: ds.task,
            nFeatures: ds.nFeatures,
            inputShape: ds.imageShape,
            nClasses: ds.classes?.length ?? 0,
            xTrain,
            yTrain,
            xVal: xTest ?? new Float32Array(0),
            yVal: yTest ? yTest.slice() : new Float64Array(0),
            seed: input.seed >>> 0,
          },
          { signal: ctx.cancellationSignal, onEpoch: () => ctx.heartbeat() },
        );
        for (const [file, bytes] of Object.entries(res.artifact)) {
          await store.putArtifact(`${artifactName}/${file}`, bytes, {
            searchId: input.searchId,
            trialId: input.trialId,
            kind: 'model',
          });
        }
        const testMetrics =
          xTest && yTest && yTest.length > 0
            ? scoreAll(input.metrics, scorerInput(ds, yTest, res.valPred, res.valProba))
            : undefined;
        const out: RefitResult = {
          trialId: input.trialId,
          artifact: artifactName,
          testMetrics,
          nTrain: plan.pool.length,
          nTest: yTest?.length ?? 0,
          backend: res.backend,
        };
        await store.updateSearch(input.searchId, { refit: out } as never);
        return out;
      } finally {
        clearInterval(ticker);
      }
    },

    /** Records the final state of a search and publishes `completed`, `cancelled` or `failed`. */
    async finishSearch(input: {
      searchId: string;
      status: 'completed' | 'cancelled' | 'failed';
      best: SearchResult['best'];
      counts: SearchResult['counts'] | undefined;
      comparison?: ComparisonResult | undefined;
      refit?: RefitResult | undefined;
      error?: string | undefined;
    }): Promise<void> {
      await store.updateSearch(input.searchId, {
        status: input.status,
        ...(input.best ? { best: input.best } : {}),
        ...(input.comparison ? { comparison: input.comparison } : {}),
        ...(input.error !== undefined ? { error: input.error } : {}),
        finishedAt: now(),
      } as never);
      if (input.best) telemetry.bestScore(input.searchId, input.best.metric, input.best.score);
      bestSeen.delete(input.searchId);
      if (input.status === 'completed') {
        publish({
          kind: 'completed',
          searchId: input.searchId,
          ts: now(),
          payload: {
            counts: toSearchCounts(input.counts),
            ...(input.best ? { best: input.best as never } : {}),
          },
        });
      } else {
        publish({
          kind: 'failed',
          searchId: input.searchId,
          ts: now(),
          payload: {
            error: input.error ?? input.status,
            ...(input.status === 'cancelled' ? { cancelled: true } : {}),
          },
        });
      }
    },
  };
};

/** The activity functions, as workflows see them (`import type` only). */
export type FoldwiseActivities = ReturnType<typeof createActivities>;
