/**
 * Epoch schedulers: decide at rungs (epochs) whether a trial continues training or stops early.
 *
 * ASHA (asynchronous successive halving, Li et al. 2020, in its stopping form as in Optuna's
 * SuccessiveHalvingPruner): rungs are minResource·η^k below maxResource, then maxResource. When a trial
 * reports at rung r < maxResource its score joins every score recorded at rung r so far (n of them, its own
 * included); it continues iff it ranks within the best max(1, ⌊n/η⌋) (ties count in its favour), else it
 * stops for good — no later promotion. So the first trial at a rung always continues, and while fewer than
 * η scores exist only a new best continues. A report at maxResource always returns 'continue' (the trial
 * completes). Hyperband runs ASHA in brackets s = 0…s_max with minimum resource minResource·η^s; trial t
 * goes to a bracket by a fixed smooth weighted round-robin over bracket sizes ⌈(s_max+1)/(s_max−s+1)·η^(s_max−s)⌉,
 * and competes only with its bracket. Median stopping stops a trial after `warmupEpochs` when its score at a
 * rung is worse than the median of the other trials' scores at that epoch, once at least `minTrials` others
 * reported there.
 */
import type { SchedulerSpec } from '@foldwise/spec';

/** Scheduler decisions, as a `const` object. */
export const SchedulerDecision = { Continue: 'continue', Stop: 'stop' } as const;
/** A scheduler decision. */
export type SchedulerDecision = (typeof SchedulerDecision)[keyof typeof SchedulerDecision];

/** A scheduler's serialisable state: the scores recorded per bracket and rung epoch, by trial. */
export interface SchedulerState {
  v: 1;
  kind: SchedulerSpec['kind'];
  /** `scores[bracket][epoch][trialIndex]` */
  scores: Record<string, Record<string, Record<string, number>>>;
  /** Trials that were told to stop. */
  stopped: number[];
}

/** An epoch scheduler. */
export interface Scheduler {
  /** Epochs at which the trial reports (ascending); the last is maxResource (empty for 'none' without one). */
  rungs(trialIndex: number): number[];
  /**
   * Records a trial's score at an epoch and decides; epochs that are not rungs of the trial always continue, and
   * a repeated report (a retried activity) returns the first decision without recording again.
   */
  report(trialIndex: number, epoch: number, score: number): SchedulerDecision;
  /** The state as plain JSON. */
  state(): SchedulerState;
}

function ashaRungs(min: number, max: number, eta: number): number[] {
  const out: number[] = [];
  for (let r = min; r < max; r *= eta) out.push(r);
  out.push(max);
  return out;
}

/** Number of hyperband brackets for a resource range. */
export function bracketCount(min: number, max: number, eta: number): number {
  let s = 0;
  while (min * eta ** (s + 1) <= max * (1 + 1e-12)) s++;
  return s + 1;
}

/** Deterministic bracket of a trial: smooth weighted round-robin over the brackets' sizes. */
export function hyperbandBracket(trialIndex: number, min: number, max: number, eta: number): number {
  const n = bracketCount(min, max, eta);
  const sMax = n - 1;
  const weights = Array.from({ length: n }, (_, s) =>
    Math.ceil(((sMax + 1) / (sMax - s + 1)) * eta ** (sMax - s)),
  );
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  let pick = 0;
  for (let i = 0; i <= trialIndex % total; i++) {
    for (let s = 0; s < n; s++) current[s] = (current[s] as number) + (weights[s] as number);
    pick = 0;
    for (let s = 1; s < n; s++) if ((current[s] as number) > (current[pick] as number)) pick = s;
    current[pick] = (current[pick] as number) - total;
  }
  return pick;
}

function better(direction: 'maximize' | 'minimize', a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

class EpochScheduler implements Scheduler {
  private readonly st: SchedulerState;

  constructor(
    private readonly spec: SchedulerSpec,
    state?: SchedulerState,
  ) {
    if (state) {
      if (state.v !== 1 || state.kind !== spec.kind)
        throw new Error(`state: belongs to a '${state.kind}' scheduler, not '${spec.kind}'`);
      this.st = JSON.parse(JSON.stringify(state)) as SchedulerState;
    } else {
      this.st = { v: 1, kind: spec.kind, scores: {}, stopped: [] };
    }
  }

  private bracket(trialIndex: number): number {
    const s = this.spec;
    return s.kind === 'hyperband'
      ? hyperbandBracket(trialIndex, s.minResource, s.maxResource, s.reductionFactor)
      : 0;
  }

  rungs(trialIndex: number): number[] {
    if (!Number.isInteger(trialIndex) || trialIndex < 0)
      throw new Error(`rungs: trialIndex must be a non-negative integer (got ${trialIndex})`);
    const s = this.spec;
    switch (s.kind) {
      case 'none':
        return s.maxResource === undefined ? [] : [s.maxResource];
      case 'asha':
        return ashaRungs(s.minResource, s.maxResource, s.reductionFactor);
      case 'hyperband':
        return ashaRungs(
          s.minResource * s.reductionFactor ** this.bracket(trialIndex),
          s.maxResource,
          s.reductionFactor,
        );
      case 'median': {
        const out: number[] = [];
        for (let e = s.warmupEpochs + s.interval; e < s.maxResource; e += s.interval) out.push(e);
        out.push(s.maxResource);
        return out;
      }
    }
  }

  report(trialIndex: number, epoch: number, score: number): SchedulerDecision {
    if (!Number.isFinite(score)) throw new Error(`report: score must be a finite number (got ${score})`);
    if (this.st.stopped.includes(trialIndex)) return 'stop';
    const rungs = this.rungs(trialIndex);
    const s = this.spec;
    if (s.kind === 'none' || !rungs.includes(epoch)) return 'continue';
    const bracket = String(this.bracket(trialIndex));
    const byEpoch = (this.st.scores[bracket] ??= {});
    const atRung = (byEpoch[String(epoch)] ??= {});
    if (String(trialIndex) in atRung) return 'continue';
    const others = Object.entries(atRung)
      .filter(([t]) => t !== String(trialIndex))
      .map(([, v]) => v);
    atRung[String(trialIndex)] = score;
    if (epoch === s.maxResource) return 'continue';
    let keep: boolean;
    if (s.kind === 'median') {
      keep = others.length < s.minTrials || !better(s.direction, median(others), score);
    } else {
      const n = others.length + 1;
      const k = Math.max(1, Math.floor(n / s.reductionFactor));
      const strictlyBetter = others.filter((v) => better(s.direction, v, score)).length;
      keep = strictlyBetter < k;
    }
    if (!keep) this.st.stopped.push(trialIndex);
    return keep ? 'continue' : 'stop';
  }

  state(): SchedulerState {
    return JSON.parse(JSON.stringify(this.st)) as SchedulerState;
  }
}

/** Creates a scheduler; pass a previous `state()` to resume it. */
export function createScheduler(spec: SchedulerSpec, state?: SchedulerState): Scheduler {
  return new EpochScheduler(spec, state);
}
