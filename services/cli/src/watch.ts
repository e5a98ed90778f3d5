import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import {
  isTerminalEvent,
  type Best,
  type FoldwiseEvent,
  type SearchProgress,
  type SearchResult,
} from '@foldwise/spec';
import type { SearchHandle } from '@foldwise/sdk';

/** How `watchSearch` shows progress. */
export interface WatchOptions {
  /** `bars`: live cli-progress bars on `err`; `json`: one event per line on `out`; `none`: nothing. */
  mode: 'bars' | 'json' | 'none';
  /** Replay the search's events from its start, or show only new ones. */
  from: 'start' | 'now';
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** How long to wait for the terminal event after the workflow returned (default 10 s). */
  graceMs?: number;
  /** How often the bars ask the workflow for its status (default 2 s). */
  pollMs?: number;
}

/** What a watch saw: the final result (or the error that ended it) and whether the terminal event arrived. */
export interface WatchOutcome {
  result?: SearchResult;
  error?: unknown;
  terminalEvent?: FoldwiseEvent;
}

/** Progress counters kept from events and status queries. */
export interface Tally {
  foldsDone: number;
  foldsTotal: number;
  trialsDone: number;
  trialsTotal: number;
  pruned: number;
  failed: number;
  best?: Best | undefined;
  /** When the search started (ms since the epoch), from its `started` event; rates are averaged from then. */
  startedAt?: number | undefined;
}

const doneFold = new Set(['completed', 'failed', 'pruned', 'cancelled']);
const doneTrial = new Set(['completed', 'failed', 'pruned', 'cancelled']);

/** Folds events into counters: unique folds and trials that ended, totals from the `started` plan. */
export function createTally(): { tally: Tally; add(e: FoldwiseEvent): void; merge(s: SearchProgress): void } {
  const folds = new Set<string>();
  const trials = new Map<number, string>();
  let foldsPerTrial = 0;
  const tally: Tally = { foldsDone: 0, foldsTotal: 0, trialsDone: 0, trialsTotal: 0, pruned: 0, failed: 0 };
  const recount = (): void => {
    tally.foldsDone = Math.max(tally.foldsDone, folds.size);
    const statuses = [...trials.values()];
    tally.trialsDone = Math.max(tally.trialsDone, statuses.length);
    tally.pruned = Math.max(tally.pruned, statuses.filter((s) => s === 'pruned').length);
    tally.failed = Math.max(tally.failed, statuses.filter((s) => s === 'failed').length);
  };
  return {
    tally,
    add(e) {
      if (e.kind === 'started') {
        tally.startedAt ??= Date.parse(e.ts);
        foldsPerTrial = e.payload.foldsPerTrial ?? foldsPerTrial;
        tally.trialsTotal = Math.max(tally.trialsTotal, e.payload.plannedTrials ?? 0);
        tally.foldsTotal = Math.max(tally.foldsTotal, tally.trialsTotal * foldsPerTrial);
      } else if (e.kind === 'fold' && doneFold.has(e.payload.status)) {
        folds.add(`${e.trialIndex}:${e.fold}`);
      } else if (e.kind === 'trial' && doneTrial.has(e.payload.status)) {
        trials.set(e.trialIndex, e.payload.status);
      } else if (e.kind === 'completed' && e.payload.best) {
        tally.best = e.payload.best;
      }
      recount();
    },
    merge(s) {
      tally.trialsTotal = s.budget;
      tally.foldsTotal = Math.max(s.foldsTotal, tally.foldsDone);
      tally.foldsDone = Math.max(tally.foldsDone, s.foldsDone);
      tally.trialsDone = Math.max(tally.trialsDone, s.completed + s.pruned + s.failed);
      tally.pruned = Math.max(tally.pruned, s.pruned);
      tally.failed = Math.max(tally.failed, s.failed);
      if (s.best) tally.best = s.best;
    },
  };
}

const fmtDuration = (s: number): string => {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
};

/** The best-so-far line: `accuracy 0.9533 [0.9201, 0.9865] (#3 mlp)`. */
export function bestLine(best: Tally['best']): string {
  if (!best) return 'none yet';
  const ci = best.ci95 ? ` [${best.ci95[0].toFixed(4)}, ${best.ci95[1].toFixed(4)}]` : '';
  const index = best.trialId.split(':').pop();
  return `${best.metric} ${best.score.toFixed(4)}${ci} (trial ${index} ${best.model})`;
}

class Bars {
  private readonly multi: MultiBar;
  private readonly folds: SingleBar;
  private readonly trials: SingleBar;
  private readonly best: SingleBar;
  private readonly t0 = Date.now();
  private foldsAtStart: number | undefined;

  constructor(stream: NodeJS.WritableStream) {
    this.multi = new MultiBar(
      {
        stream: stream as NodeJS.WriteStream,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        fps: 5,
        barsize: 30,
        autopadding: true,
        forceRedraw: true,
      },
      Presets.shades_classic,
    );
    this.folds = this.multi.create(
      1,
      0,
      { rateText: '–', etaText: '?' },
      { format: 'folds  {bar} {value}/{total} | {rateText} folds/min | ETA {etaText}' },
    );
    this.trials = this.multi.create(
      1,
      0,
      { pruned: 0, failed: 0 },
      { format: 'trials {bar} {value}/{total} | {pruned} pruned, {failed} failed' },
    );
    this.best = this.multi.create(1, 0, { best: 'none yet' }, { format: 'best   {best}' });
  }

  update(t: Tally): void {
    const base = t.startedAt !== undefined ? 0 : (this.foldsAtStart ??= t.foldsDone);
    const minutes = (Date.now() - (t.startedAt ?? this.t0)) / 60_000;
    const live = t.foldsDone - base;
    const rate = minutes > 0.05 && live > 0 ? live / minutes : undefined;
    const eta = rate ? fmtDuration(((t.foldsTotal - t.foldsDone) / rate) * 60) : '?';
    this.folds.setTotal(Math.max(1, t.foldsTotal));
    this.folds.update(t.foldsDone, {
      rateText: rate ? rate.toFixed(1) : '–',
      etaText: t.foldsDone >= t.foldsTotal && t.foldsTotal > 0 ? '0s' : eta,
    });
    this.trials.setTotal(Math.max(1, t.trialsTotal));
    this.trials.update(t.trialsDone, { pruned: t.pruned, failed: t.failed });
    this.best.update(0, { best: bestLine(t.best) });
  }

  stop(): void {
    this.multi.stop();
  }
}

/**
 * Follows a search until it ends: shows progress (bars or JSON lines), returns the workflow's result.
 * The event stream ends with the terminal event; when NATS is unavailable the result still arrives from Temporal.
 */
export async function watchSearch(handle: SearchHandle, opts: WatchOptions): Promise<WatchOutcome> {
  const { tally, add, merge } = createTally();
  const bars = opts.mode === 'bars' ? new Bars(opts.err) : undefined;
  const outcome: WatchOutcome = {};
  let settled = false;
  const resultP = handle.result().then(
    (r) => {
      outcome.result = r;
    },
    (err: unknown) => {
      outcome.error = err;
    },
  );
  const poll = bars
    ? setInterval(() => {
        handle.status().then(
          (s) => {
            merge(s);
            bars.update(tally);
          },
          () => undefined,
        );
      }, opts.pollMs ?? 2000)
    : undefined;
  const iterator = handle.progress({ from: opts.from })[Symbol.asyncIterator]();
  const graceOver = resultP.then(
    () => new Promise<'grace'>((ok) => setTimeout(() => ok('grace'), opts.graceMs ?? 10_000).unref()),
  );
  try {
    while (!settled) {
      const next = await Promise.race([iterator.next(), graceOver]);
      if (next === 'grace' || next.done) break;
      const e = next.value;
      add(e);
      if (opts.mode === 'json') opts.out.write(`${JSON.stringify(e)}\n`);
      bars?.update(tally);
      if (isTerminalEvent(e)) {
        outcome.terminalEvent = e;
        settled = true;
      }
    }
  } catch (err) {
    opts.err.write(`progress stream failed: ${(err as Error).message}\n`);
  } finally {
    void iterator.return?.().catch(() => undefined);
  }
  await resultP;
  if (poll) clearInterval(poll);
  if (bars) {
    if (outcome.result) {
      tally.foldsDone = Math.max(tally.foldsDone, outcome.result.counts.foldsRun);
      tally.trialsDone = Math.max(tally.trialsDone, outcome.result.counts.trials);
      if (outcome.result.best) tally.best = outcome.result.best;
    }
    bars.update(tally);
    bars.stop();
  }
  if (!outcome.terminalEvent && opts.mode === 'json')
    opts.err.write('progress stream ended without a completion event (is NATS reachable?)\n');
  return outcome;
}
