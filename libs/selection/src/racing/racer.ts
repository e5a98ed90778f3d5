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
 *
 * `anytime-t` spends alpha over looks instead: a configuration's j-th look (a test on data it has not been tested on
 * before: a new incumbent or more shared folds) prunes at p < alpha / (j(j + 1)). These levels sum to alpha, so by the
 * union bound a configuration that is not worse than any of its incumbents is pruned with probability at most alpha
 * however many looks it gets (when each look's corrected t p-value is valid: the Nadeau–Bengio model of correlated
 * folds; the incumbent's selection as the best mean so far is not covered, and `bench:stats` measures the rate).
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
  /** `anytime-t`: which look of this configuration pruned it, and the level that look was tested at. */
  look?: number;
  level?: number;
  /** The practical margin the test allowed (absent when 0). */
  margin?: number;
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
  /** `anytime-t`: looks taken per trial and the (incumbent, shared folds) of the last one. */
  looks?: Record<string, { n: number; last: string }>;
}

/** A fold racer. */
export interface Racer {
  /** Records one fold's score and returns the trials to prune now (this one or other running ones). */
  onFoldResult(trialIndex: number, fold: number, score: number): RacingDecision[];
  /** Whether the racer already holds this fold's score. */
  hasResult(trialIndex: number, fold: number): boolean;
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
      if (!evidence) continue;
      const level = this.levelOf(t, inc, evidence.nFolds);
      if (level === undefined) continue;
      if (evidence.pValue < level) {
        const kept =
          this.spec.test === 'anytime-t'
            ? { ...evidence, look: this.st.looks?.[String(t)]?.n ?? 0, level }
            : evidence;
        this.st.pruned[String(t)] = kept;
        out.push({ action: 'prune', trialIndex: t, evidence: kept });
      }
    }
    return out;
  }

  /** The level this test of `t` against `inc` on `n` shared folds is held to; undefined when it is no new look. */
  private levelOf(t: number, inc: number, n: number): number | undefined {
    if (this.spec.test !== 'anytime-t') return this.spec.alpha;
    const looks = (this.st.looks ??= {});
    const key = `${inc}:${n}`;
    const prev = looks[String(t)];
    if (prev?.last === key) return undefined;
    const j = (prev?.n ?? 0) + 1;
    looks[String(t)] = { n: j, last: key };
    return this.spec.alpha / (j * (j + 1));
  }

  hasResult(trialIndex: number, fold: number): boolean {
    return String(fold) in this.folds(trialIndex);
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
    const maximize = this.opts.direction === 'maximize';
    const alternative = maximize ? 'less' : 'greater';
    const margin = this.spec.margin ?? 0;
    const shifted = margin === 0 ? xa : xa.map((x) => (maximize ? x + margin : x - margin));
    const r =
      this.spec.test === 'wilcoxon'
        ? wilcoxonSignedRank(shifted, xb, { alternative })
        : correctedResampledTTest(shifted, xb, { testTrainRatio: this.ratio, alternative });
    if (!Number.isFinite(r.pValue)) return undefined;
    return {
      incumbentTrial: inc,
      test: this.spec.test,
      statistic: r.statistic,
      pValue: r.pValue,
      nFolds: shared.length,
      meanDiff: mean(xa.map((x, i) => x - (xb[i] as number))),
      ...(margin === 0 ? {} : { margin }),
    };
  }
}

/** Creates a fold racer; pass a previous `state()` to resume it. */
export function createRacer(spec: RacingSpec, opts: RacerOptions, state?: RacerState): Racer {
  return new FoldRacer(spec, opts, state);
}
