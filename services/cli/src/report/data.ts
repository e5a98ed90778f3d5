import type {
  Best,
  ComparisonResult,
  CurvePoint,
  MetricSummary,
  ParetoEntry,
  SearchSpec,
  TrialDoc,
} from '@foldwise/spec';

/** One trial as the report shows it: a configuration of a model with its fold aggregates. */
export interface ReportTrial {
  trialId: string;
  trialIndex: number;
  model: string;
  params: Record<string, unknown>;
  status: TrialDoc['status'];
  /** Completed folds. */
  folds: number;
  metrics: Record<string, MetricSummary>;
}

/** One fold as the report shows it: metrics, learning curve and confusion matrix. */
export interface ReportFold {
  trialId: string;
  trialIndex: number;
  fold: number;
  model: string;
  status: string;
  metrics: Record<string, number>;
  curve: CurvePoint[];
  confusionMatrix?: number[][] | undefined;
}

/** Everything `buildReport` needs: the spec, the outcome, and every trial and fold; no I/O happens after this is built. */
export interface ReportData {
  searchId: string;
  spec: SearchSpec;
  status: string;
  /** Primary metric and whether greater is better (from the engine's plan; the spec's primary otherwise). */
  primary: { name: string; greaterIsBetter: boolean };
  /** Class labels by class id, for the confusion matrix axes. */
  classes?: (string | number)[] | undefined;
  /** The task, when the engine's plan knows it (inferred from the data when the spec leaves it out). */
  task?: 'classification' | 'regression' | undefined;
  /** Samples used by cross-validation and held out, when known. */
  nSamples?: number | undefined;
  nHeldOut?: number | undefined;
  best?: Best | undefined;
  comparison?: ComparisonResult | undefined;
  /** Multi-objective searches: the Pareto front and the other feasible configurations. */
  pareto?: ParetoEntry[] | undefined;
  refit?:
    | { trialId: string; testMetrics?: Record<string, number> | undefined; nTrain?: number; nTest?: number }
    | undefined;
  trials: ReportTrial[];
  folds: ReportFold[];
  /** ISO timestamp printed in the footer; passed in so the output is a pure function of the data. */
  generatedAt: string;
}
