/**
 * Fold racing: stop a configuration once a one-sided paired test on the folds it shares with the
 * incumbent says it is worse, so its remaining folds never run.
 *
 * The incumbent is the best configuration (by mean score) among those with every fold complete; while none
 * is complete, it is the best by mean over its own folds among configurations with at least `minFolds` folds.
 * Ties go to the lower trial index. The incumbent is never pruned, nor is a configuration whose folds are all
 * complete, and a pruned configuration never becomes the incumbent. After each fold result the racer tests
 * the reporting configuration against the incumbent; when the incumbent changed or gained a fold, it tests
 * every running configuration. A test needs at least `minFolds` shared folds and prunes at p < alpha
 * (alternative: the candidate is worse). Note that the one-sided Wilcoxon test cannot reach p < 0.05 with
 * fewer than 5 non-zero differences (its smallest p-value is 2^-n), and repeated looks make the per-look
 * alpha an optimistic error rate.
 */
import { correctedResampledTTest, wilcoxonSignedRank } from '@foldwise/compare';
import type { Direction, RacingSpec } from '@foldwise/spec';

/** Why a configuration was pruned: the test against the incumbent on their shared folds. */
export interface RacingEvidence {
  incumbentTrial: number;
  test: RacingSpec['test'];
  statistic: number;
  pValue: number;
  nFolds: number;
  /** Mean of (candidate − incumbent) over the shared folds. */
  meanDiff: number;
}

/** A racing decision: prune `trialIndex` (its remaining folds should be cancelled). */
export interface RacingDecision {
  action: 'prune';
  trialIndex: number;
  evidence: RacingEvidence;
}

/** What the racer needs to know about the cross-validation and the objective. */
export interface RacerOptions {
  nFolds: number;
  direction: Direction;
  /** n_test / n_train of one fold, for the corrected t-test; default 1 / (nFolds − 1) (k-fold). */
  testTrainRatio?: number;
}

/** A racer's serialisable state. */
export interface RacerState {
  v: 1;
  /** `scores[trialIndex][fold]` */
  scores: Record<string, Record<string, number>>;
  pruned: Record<string, RacingEvidence>;
  incumbent: number | null;
}

/** A fold racer. */
export interface Racer {
  /** Records one fold's score and returns the trials to prune now (this one or other running ones). */
  onFoldResult(trialIndex: number, fold: number, score: number): RacingDecision[];
  /** Whether the trial was pruned. */
  isPruned(trialIndex: number): boolean;
  /** The evidence a trial was pruned with. */
  evidence(trialIndex: number): RacingEvidence | undefined;
  /** The current incumbent, if any. */
  incumbent(): number | undefined;
  /** The state as plain JSON. */
  state(): RacerState;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

class FoldRacer implements Racer {
  private readonly st: RacerState;
  private readonly ratio: number;

  constructor(
    private readonly spec: RacingSpec,
    private readonly opts: RacerOptions,
    state?: RacerState,
  ) {
    if (!Number.isInteger(opts.nFolds) || opts.nFolds < 2)
      throw new Error(`nFolds: must be an integer >= 2 (got ${opts.nFolds})`);
    this.ratio = opts.testTrainRatio ?? 1 / (opts.nFolds - 1);
    if (!(this.ratio > 0)) throw new Error(`testTrainRatio: must be > 0 (got ${this.ratio})`);
    this.st = state
      ? (JSON.parse(JSON.stringify(state)) as RacerState)
      : { v: 1, scores: {}, pruned: {}, incumbent: null };
    if (this.st.v !== 1) throw new Error('state: unknown racer state version');
  }

  onFoldResult(trialIndex: number, fold: number, score: number): RacingDecision[] {
    if (!Number.isInteger(trialIndex) || trialIndex < 0)
      throw new Error(`trialIndex: must be a non-negative integer (got ${trialIndex})`);
    if (!Number.isInteger(fold) || fold < 0 || fold >= this.opts.nFolds) {
      throw new Error(`fold: must be an integer in [0, ${this.opts.nFolds}) (got ${fold})`);
    }
    if (!Number.isFinite(score)) throw new Error(`score: must be a finite number (got ${score})`);
    const scores = (this.st.scores[String(trialIndex)] ??= {});
    scores[String(fold)] = score;
    if (!this.spec.enabled || this.isPruned(trialIndex)) return [];
    const before = this.st.incumbent;
    const inc = this.findIncumbent();
    this.st.incumbent = inc ?? null;
    if (inc === undefined) return [];
    const everyone = inc !== before || trialIndex === inc;
    const candidates = everyone ? this.trials() : [trialIndex];
    const out: RacingDecision[] = [];
    for (const t of candidates) {
      if (t === inc || this.isPruned(t) || this.isComplete(t)) continue;
      const evidence = this.test(t, inc);
      if (evidence && evidence.pValue < this.spec.alpha) {
        this.st.pruned[String(t)] = evidence;
        out.push({ action: 'prune', trialIndex: t, evidence });
      }
    }
    return out;
  }

  isPruned(trialIndex: number): boolean {
    return String(trialIndex) in this.st.pruned;
  }

  evidence(trialIndex: number): RacingEvidence | undefined {
    return this.st.pruned[String(trialIndex)];
  }

  incumbent(): number | undefined {
    return this.st.incumbent ?? undefined;
  }

  state(): RacerState {
    return JSON.parse(JSON.stringify(this.st)) as RacerState;
  }

  private trials(): number[] {
    return Object.keys(this.st.scores)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private folds(t: number): Record<string, number> {
    return this.st.scores[String(t)] ?? {};
  }

  private isComplete(t: number): boolean {
    return Object.keys(this.folds(t)).length >= this.opts.nFolds;
  }

  private findIncumbent(): number | undefined {
    const sign = this.opts.direction === 'maximize' ? 1 : -1;
    const live = this.trials().filter((t) => !this.isPruned(t));
    const complete = live.filter((t) => this.isComplete(t));
    const pool =
      complete.length > 0
        ? complete
        : live.filter((t) => Object.keys(this.folds(t)).length >= this.spec.minFolds);
    let best: number | undefined;
    let bestMean = -Infinity;
    for (const t of pool) {
      const m = sign * mean(Object.values(this.folds(t)));
      if (best === undefined || m > bestMean) {
        best = t;
        bestMean = m;
      }
    }
    return best;
  }

  private test(candidate: number, inc: number): RacingEvidence | undefined {
    const a = this.folds(candidate);
    const b = this.folds(inc);
    const shared = Object.keys(a)
      .filter((f) => f in b)
      .map(Number)
      .sort((x, y) => x - y);
    if (shared.length < this.spec.minFolds) return undefined;
    const xa = shared.map((f) => a[String(f)] as number);
    const xb = shared.map((f) => b[String(f)] as number);
    const alternative = this.opts.direction === 'maximize' ? 'less' : 'greater';
    const r =
      this.spec.test === 'corrected-t'
        ? correctedResampledTTest(xa, xb, { testTrainRatio: this.ratio, alternative })
        : wilcoxonSignedRank(xa, xb, { alternative });
    if (!Number.isFinite(r.pValue)) return undefined;
    return {
      incumbentTrial: inc,
      test: this.spec.test,
      statistic: r.statistic,
      pValue: r.pValue,
      nFolds: shared.length,
      meanDiff: mean(xa.map((x, i) => x - (xb[i] as number))),
    };
  }
}

/** Creates a fold racer; pass a previous `state()` to resume it. */
export function createRacer(spec: RacingSpec, opts: RacerOptions, state?: RacerState): Racer {
  return new FoldRacer(spec, opts, state);
}
