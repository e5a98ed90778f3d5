import { Context } from '@temporalio/activity';
import { scoreAll } from '@foldwise/metrics';
import type { CvSpec, PreprocessSpec, RefitResult, ResolvedDataset } from '@foldwise/spec';
import { planFolds } from './plan';
import type { ActivityDeps } from './ports';
import { gatherLabels, preprocessFold } from './preprocess';
import { loadData, scorerInput } from './shared';

type RefitDeps = Pick<ActivityDeps, 'store' | 'data' | 'trainer' | 'heartbeatMs'>;

/** Input of `refitBest`. */
export interface RefitInput {
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
}

/** The refit role: trains the winner on all cross-validation data and scores the held-out data once. */
export const createRefitActivities = (deps: RefitDeps) => {
  const { store, trainer } = deps;
  return {
    /**
     * Refits the winner on all cross-validation data, scores the held-out set once and stores the model; the search
     * records the result when it finishes.
     */
    async refitBest(input: RefitInput): Promise<RefitResult> {
      const ctx = Context.current();
      const searched = await loadData(deps.data, input.dataset);
      const fullData =
        'builtin' in input.dataset && input.dataset.subset !== undefined && searched.heldOut !== undefined;
      const ds = fullData
        ? await loadData(deps.data, { builtin: (input.dataset as { builtin: string }).builtin })
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
        return {
          trialId: input.trialId,
          artifact: artifactName,
          testMetrics,
          nTrain: plan.pool.length,
          nTest: yTest?.length ?? 0,
          backend: res.backend,
          ...(res.cpuMs !== undefined ? { trainCpuMs: res.cpuMs } : {}),
        };
      } finally {
        clearInterval(ticker);
      }
    },
  };
};
