import type { TelemetryPort } from './ports';

/** Keeps `foldwise_search_best_score` at the best completed trial this process recorded, per search. */
export interface BestScoreTracker {
  /** A completed trial's primary mean; moves the gauge when it beats the best so far in the metric's direction. */
  offer(searchId: string, primary: { name: string; greaterIsBetter: boolean }, mean: number): void;
  /** Forgets a search that ended. */
  forget(searchId: string): void;
}

/** Creates the tracker over the telemetry port. */
export function createBestScoreTracker(telemetry: Pick<TelemetryPort, 'bestScore'>): BestScoreTracker {
  const best = new Map<string, number>();
  return {
    offer(searchId, primary, mean) {
      if (!Number.isFinite(mean)) return;
      const sign = primary.greaterIsBetter ? 1 : -1;
      const prev = best.get(searchId);
      if (prev !== undefined && sign * mean <= sign * prev) return;
      best.set(searchId, mean);
      telemetry.bestScore(searchId, primary.name, mean);
    },
    forget(searchId) {
      best.delete(searchId);
    },
  };
}
