/**
 * Ask/tell search strategies (grid, random, Sobol, TPE) over one or more model families sharing a budget.
 *
 * Every decision is a function of (seed, history): trial t draws from a generator seeded by
 * `deriveSeed(seed, kind, t, attempt)`, Sobol from its point index. The state is the history itself
 * (each trial's joint configuration and outcome) plus a cursor, so `JSON.parse(JSON.stringify(state()))`
 * restores a strategy that proposes exactly what the original would have.
 *
 * Duplicates: a proposal equal to an earlier one is redrawn (Sobol: the next point; TPE: up to 8 fresh TPE
 * draws, then random draws); when the space is finite and draws keep colliding, a configuration is chosen
 * uniformly among those never proposed, and once none is left the strategy is exhausted.
 *
 * Family floor: with `familyFloor` f > 0 and several families, the first proposals go to the family with the fewest
 * proposals so far (the lowest index on ties, so round robin) until every family has f; within the forced family the
 * strategy proposes as usual (random, Sobol and TPE draw from that family's part of the space, grid takes its next
 * configuration of that family). The floor is fixed when the strategy is created and kept in its state.
 *
 * Outcomes: grid, random and Sobol use outcomes only to validate them (their proposals do not depend on
 * scores); every proposed configuration, whatever its outcome, is never proposed again. TPE's use of
 * completed, pruned, failed and pending trials is described in `./tpe`.
 */
import type { Domain, Direction, JsonValue, SearchSpace, StrategySpec } from '@foldwise/spec';
import { stableHash } from '../hash';
import { createRng, deriveSeed, type Rng } from '../prng';
import {
  FAMILY_PARAM,
  enumerateGrid,
  GRID_LIMIT,
  jointSpace,
  paramOrder,
  sampleConfig,
  spaceSize,
  decodeConfig,
  type Family,
  type JointSpace,
  type Params,
} from '../space';
import { createSobol, SOBOL_MAX_DIM, type Sobol } from './sobol';
import { proposeTpe, type TpeSpec, type TpeTrial } from './tpe';

/** Trial outcome statuses, as a `const` object. */
export const TrialStatus = { Completed: 'completed', Pruned: 'pruned', Failed: 'failed' } as const;
/** A trial outcome status. */
export type TrialStatus = (typeof TrialStatus)[keyof typeof TrialStatus];

/** What the engine reports about a trial; `score` is required for completed trials, optional otherwise. */
export interface Outcome {
  status: TrialStatus;
  score?: number;
  /** Multi-objective searches: the completed trial's value of each objective, in the order of `options.objectives`. */
  objectives?: number[];
  /** Total amount by which the completed trial breaks its constraints (0 or absent: feasible). */
  violation?: number;
}

/** A configuration to evaluate. */
export interface Proposal {
  trialIndex: number;
  model: string;
  params: Record<string, JsonValue>;
}

/** One trial in a strategy's state: joint configuration, then status and score once told. */
export interface TrialRecord {
  c: Params;
  s?: TrialStatus;
  y?: number;
  /** Objective values as losses (multi-objective searches). */
  o?: number[];
  /** Total constraint violation, when positive. */
  v?: number;
}

/** A strategy's serialisable state (plain JSON). */
export interface StrategyState {
  v: 1;
  kind: StrategySpec['kind'];
  /** Hash of (spec, families, seed, direction, budget): a state only restores the strategy it came from. */
  fp: string;
  trials: TrialRecord[];
  /** Next Sobol index. */
  cursor: number;
  /** Set once the strategy found no new configuration to propose. */
  done: boolean;
  /** Proposals each family gets before the strategy chooses families freely (absent: none, as before floors existed). */
  floor?: number;
}

/** Options shared by all strategies. */
export interface StrategyOptions {
  seed: number;
  direction: Direction;
  budget?: number;
  /** Proposals every family gets first (round robin) before the strategy chooses families; default 0. */
  familyFloor?: number;
  /** Directions of the objectives of a multi-objective search (TPE then splits trials as MOTPE does). */
  objectives?: Direction[];
}

/**
 * The default family floor of a search: at least 2 trials per family, or an even share of TPE's startup trials when
 * that is more, but never more than an even share of the budget (and at least 1). 0 with a single family.
 */
export function defaultFamilyFloor(spec: {
  families: number;
  trials: number;
  strategy: StrategySpec;
  minPerFamily?: number | undefined;
}): number {
  if (spec.families <= 1) return 0;
  if (spec.minPerFamily !== undefined) return spec.minPerFamily;
  const startup = spec.strategy.kind === 'tpe' ? Math.floor(spec.strategy.nStartupTrials / spec.families) : 0;
  return Math.max(1, Math.min(Math.max(2, startup), Math.floor(spec.trials / spec.families)));
}

/** An ask/tell search strategy. */
export interface Strategy {
  /** Proposes up to `n` new configurations (fewer once the space or budget is exhausted), never a duplicate. */
  ask(n: number): Proposal[];
  /** Records the outcome of a proposed trial; telling the same outcome again is a no-op. */
  tell(trialIndex: number, outcome: Outcome): void;
  /** The state as plain JSON, to restore with `createStrategy(…, state)`. */
  state(): StrategyState;
  /** True when no further proposal is possible (space or budget exhausted). */
  readonly exhausted: boolean;
}

const RANDOM_ATTEMPTS = 64;
const SOBOL_ATTEMPTS = 1024;

class SearchStrategy implements Strategy {
  private readonly joint: JointSpace;
  private readonly order: string[];
  private readonly st: StrategyState;
  private readonly keys = new Set<string>();
  private grid: Params[] | undefined;
  private sobol: Sobol | undefined;
  private sobolDims: string[] = [];
  private size: number | undefined;

  constructor(
    private readonly spec: StrategySpec,
    families: readonly Family[],
    private readonly opts: StrategyOptions,
    state?: StrategyState,
  ) {
    if (!Number.isFinite(opts.seed)) throw new Error(`seed: must be a finite number (got ${opts.seed})`);
    if (opts.budget !== undefined && !(Number.isInteger(opts.budget) && opts.budget >= 0)) {
      throw new Error(`budget: must be a non-negative integer (got ${opts.budget})`);
    }
    if (opts.familyFloor !== undefined && !(Number.isInteger(opts.familyFloor) && opts.familyFloor >= 0)) {
      throw new Error(`familyFloor: must be a non-negative integer (got ${opts.familyFloor})`);
    }
    this.joint = jointSpace(families);
    this.order = paramOrder(this.joint.space);
    const fp = stableHash({
      spec,
      families,
      seed: opts.seed,
      direction: opts.direction,
      budget: opts.budget ?? null,
    });
    if (spec.kind === 'grid') {
      this.grid = families.flatMap((f) => {
        try {
          return enumerateGrid(f.space).map((params) => this.joint.join(f.model, params));
        } catch (e) {
          throw new Error(`model '${f.model}': ${(e as Error).message}`);
        }
      });
      if (this.grid.length > GRID_LIMIT)
        throw new Error(
          `grid: the search has ${this.grid.length} configurations, more than the limit of ${GRID_LIMIT}`,
        );
      if (spec.shuffle) this.grid = createRng(deriveSeed(opts.seed, 'grid')).shuffle(this.grid);
    }
    if (spec.kind === 'sobol') {
      this.sobolDims = this.order.filter((n) => (this.joint.space[n] as Domain).type !== 'const');
      if (this.sobolDims.length > SOBOL_MAX_DIM) {
        throw new Error(
          `sobol: the search has ${this.sobolDims.length} parameters; at most ${SOBOL_MAX_DIM} are supported`,
        );
      }
      this.sobol = createSobol(
        this.sobolDims.length,
        spec.scramble ? deriveSeed(opts.seed, 'sobol') : undefined,
      );
    }
    if (state) {
      if (state.v !== 1 || state.kind !== spec.kind)
        throw new Error(`state: belongs to a '${state.kind}' strategy, not '${spec.kind}'`);
      if (state.fp !== fp)
        throw new Error('state: was produced by a different spec, families, seed, direction or budget');
      this.st = structuredCloneJson(state);
      for (const t of this.st.trials) this.keys.add(stableHash(t.c));
    } else {
      this.st = { v: 1, kind: spec.kind, fp, trials: [], cursor: 0, done: false };
      const floor = opts.familyFloor ?? 0;
      if (floor > 0 && families.length > 1) this.st.floor = floor;
    }
  }

  get exhausted(): boolean {
    const n = this.st.trials.length;
    if (this.st.done) return true;
    if (this.opts.budget !== undefined && n >= this.opts.budget) return true;
    if (this.grid) return n >= this.grid.length;
    return n >= this.spaceSize();
  }

  ask(n: number): Proposal[] {
    if (!Number.isInteger(n) || n < 0) throw new Error(`ask: n must be a non-negative integer (got ${n})`);
    const out: Proposal[] = [];
    while (out.length < n && !this.exhausted) {
      const t = this.st.trials.length;
      const c = this.propose(t);
      if (!c) {
        this.st.done = true;
        break;
      }
      this.st.trials.push({ c });
      this.keys.add(stableHash(c));
      const { model, params } = this.joint.split(c);
      out.push({ trialIndex: t, model, params });
    }
    return out;
  }

  tell(trialIndex: number, outcome: Outcome): void {
    const rec = this.st.trials[trialIndex];
    if (!Number.isInteger(trialIndex) || !rec)
      throw new Error(`tell: trialIndex ${trialIndex} was never proposed`);
    if (!Object.values(TrialStatus).includes(outcome.status))
      throw new Error(`tell: status '${String(outcome.status)}' is not one of completed, pruned, failed`);
    if (outcome.score !== undefined && !Number.isFinite(outcome.score))
      throw new Error(`tell: score must be a finite number (got ${outcome.score})`);
    if (outcome.status === 'completed' && outcome.score === undefined)
      throw new Error(`tell: trial ${trialIndex} completed without a score`);
    const dirs = this.opts.objectives;
    if (outcome.objectives !== undefined) {
      if (!dirs || outcome.objectives.length !== dirs.length)
        throw new Error(
          `tell: ${outcome.objectives.length} objective values for ${dirs?.length ?? 0} objectives`,
        );
      if (!outcome.objectives.every(Number.isFinite))
        throw new Error(`tell: objective values must be finite (got ${outcome.objectives.join(', ')})`);
    }
    if (outcome.violation !== undefined && !(outcome.violation >= 0))
      throw new Error(`tell: violation must be a number >= 0 (got ${outcome.violation})`);
    if (rec.s !== undefined) {
      if (rec.s === outcome.status && rec.y === outcome.score) return;
      throw new Error(`tell: trial ${trialIndex} was already told '${rec.s}'`);
    }
    rec.s = outcome.status;
    if (outcome.score !== undefined) rec.y = outcome.score;
    if (outcome.objectives !== undefined && dirs)
      rec.o = outcome.objectives.map((x, i) => (dirs[i] === 'maximize' ? -x : x));
    if (outcome.violation !== undefined && outcome.violation > 0) rec.v = outcome.violation;
  }

  state(): StrategyState {
    return structuredCloneJson(this.st);
  }

  private spaceSize(): number {
    this.size ??= spaceSize(this.joint.space);
    return this.size;
  }

  private isNew(c: Params): boolean {
    return !this.keys.has(stableHash(c));
  }

  /** The family the floor makes trial `t` use, or undefined once every family has its floor. */
  private forcedFamily(): number | undefined {
    const floor = this.st.floor ?? 0;
    if (floor === 0) return undefined;
    const counts = this.joint.families.map(() => 0);
    for (const t of this.st.trials) {
      const i = t.c[FAMILY_PARAM];
      if (typeof i === 'number' && i < counts.length) counts[i] = (counts[i] as number) + 1;
    }
    const least = Math.min(...counts);
    return least < floor ? counts.indexOf(least) : undefined;
  }

  private propose(t: number): Params | undefined {
    const seed = this.opts.seed;
    const forced = this.forcedFamily();
    const space: SearchSpace =
      forced === undefined
        ? this.joint.space
        : { ...this.joint.space, [FAMILY_PARAM]: { type: 'const', value: forced } };
    switch (this.spec.kind) {
      case 'grid':
        if (this.st.floor === undefined) return this.grid?.[t];
        return this.grid?.find((c) => this.isNew(c) && (forced === undefined || c[FAMILY_PARAM] === forced));
      case 'random': {
        const rng = createRng(deriveSeed(seed, 'random', t));
        for (let a = 0; a < RANDOM_ATTEMPTS; a++) {
          const c = sampleConfig(space, rng);
          if (this.isNew(c)) return c;
        }
        return this.unproposed(rng);
      }
      case 'sobol': {
        const sobol = this.sobol as Sobol;
        for (let a = 0; a < SOBOL_ATTEMPTS; a++) {
          const c = decodeConfig(space, sobol.point(this.st.cursor++), this.sobolDims);
          if (this.isNew(c)) return c;
        }
        return this.unproposed(createRng(deriveSeed(seed, 'sobol', t)));
      }
      case 'tpe': {
        const spec: TpeSpec = this.spec;
        const sign = this.opts.direction === 'maximize' ? -1 : 1;
        const trials: TpeTrial[] = this.st.trials;
        for (let a = 0; a < RANDOM_ATTEMPTS; a++) {
          const rng = createRng(deriveSeed(seed, 'tpe', t, a));
          const c = a < 8 ? proposeTpe(space, this.order, trials, spec, sign, rng) : sampleConfig(space, rng);
          if (this.isNew(c)) return c;
        }
        return this.unproposed(createRng(deriveSeed(seed, 'tpe', t, 'fallback')));
      }
    }
  }

  private unproposed(rng: Rng): Params | undefined {
    if (this.spaceSize() === Infinity) return undefined;
    const full: SearchSpace = Object.fromEntries(
      Object.entries(this.joint.space).map(([k, d]) => [
        k,
        d.type === 'intLogUniform' ? { ...d, gridPoints: undefined } : d,
      ]),
    );
    const left = enumerateGrid(full).filter((c) => this.isNew(c));
    return left.length === 0 ? undefined : left[rng.int(left.length)];
  }
}

function structuredCloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Creates a strategy over `families` (one shared budget); pass a previous `state()` to resume it exactly. */
export function createStrategy(
  spec: StrategySpec,
  families: { model: string; space: SearchSpace }[],
  opts: StrategyOptions,
  state?: StrategyState,
): Strategy {
  return new SearchStrategy(spec, families, opts, state);
}
