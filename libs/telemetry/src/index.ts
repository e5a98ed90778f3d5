export {
  createTelemetry,
  metricNames,
  MetricName,
  FoldOutcome,
  TrialOutcome,
  foldDurationBuckets,
  type Telemetry,
  type TelemetryOptions,
} from './telemetry';
export {
  serveMetrics,
  reserveMetricsPort,
  scrapeText,
  type Health,
  type ServeMetricsOptions,
  type MetricsServer,
  type ReservedPort,
} from './server';
