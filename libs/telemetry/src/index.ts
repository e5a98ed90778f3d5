export {
  createTelemetry,
  metricNames,
  MetricName,
  FoldOutcome,
  TrialOutcome,
  DEFAULT_METRICS_PREFIX,
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
