/**
 * Tree-structured Parzen Estimator proposals (Bergstra et al. 2011, with Optuna 3's estimator details).
 *
 * How outcomes are used: completed trials are ranked by score; pruned trials rank after every completed
 * one (among themselves by the score they were stopped with, those without a score last); the best
 * `min(ceil(γ·n), 25)` of these n ranked trials form the "good" group, the rest the "bad" group. Failed
 * trials and pending ones (asked, not yet told: the constant liar) join the bad group as the worst
 * observations, so parallel asks spread out and regions that fail are avoided. A parameter's estimators
 * use only the trials where that parameter was active.
 *
 * Constraints (as Optuna 3's TPESampler with `constraints_func`): a completed trial that breaks a constraint (`v > 0`,
 * its total violation) ranks after every feasible completed trial, among the infeasible ones by violation.
 *
 * Several objectives (as Optuna's MOTPE): feasible completed trials carry `o`, their objective values as losses; they
 * are ranked front by front by non-dominated sorting, and within a front by greedy hypervolume contribution (two
 * objectives; crowding distance with more), so the good group takes whole fronts and the best-spread part of the
 * front it cuts.
 */
import { hypervolume2d, nonDominatedRanks } from '@foldwise/compare';
import type { Domain, SearchSpace, StrategySpec } from '@foldwise/spec';
import type { Rng } from '../prng';
import { FAMILY_PARAM, isActive, sampleConfig, type Params } from '../space';
import {
  buildMixture,
  defaultWeights,
  logPdf,
  sampleMixture,
  scaleOf,
  type ParzenOptions,
  type Scale,
} from './parzen';

/** The multivariate bandwidth factor of specs stored before the `bandwidth` option existed (Optuna's), so their workflows replay unchanged. */
const LEGACY_BANDWIDTH = 0.2;

/** TPE options after defaults. */
export type TpeSpec = Extract<StrategySpec, { kind: 'tpe' }>;

/** One trial as TPE sees it: its joint configuration, and the outcome once told. */
export interface TpeTrial {
  c: Params;
  s?: 'completed' | 'pruned' | 'failed';
  y?: number;
  /** Objective values as losses (smaller is better), for a multi-objective search. */
  o?: number[];
  /** Total constraint violation (0 when feasible). */
  v?: number;
}

/** Orders the members of one non-dominated front (losses) best-spread first: greedy hypervolume, or crowding distance. */
function orderFront(members: number[], losses: (i: number) => number[]): number[] {
  if (members.length <= 2) return members;
  const d = losses(members[0] as number).length;
  if (d === 2) {
    const pts = members.map((i) => losses(i).map((x) => -x));
    const ref: [number, number] = [0, 1].map((k) => Math.min(...pts.map((p) => p[k] as number)) - 1) as [
      number,
      number,
    ];
    const chosen: number[] = [];
    const left = members.map((_, j) => j);
    while (left.length > 0) {
      const base = hypervolume2d(
        chosen.map((j) => pts[j] as number[]),
        ref,
      );
      let bestAt = 0;
      let bestGain = -Infinity;
      left.forEach((j, at) => {
        const gain =
          hypervolume2d(
            [...chosen, j].map((x) => pts[x] as number[]),
            ref,
          ) - base;
        if (gain > bestGain) {
          bestGain = gain;
          bestAt = at;
        }
      });
      chosen.push(left.splice(bestAt, 1)[0] as number);
    }
    return chosen.map((j) => members[j] as number);
  }
  const crowd = new Map<number, number>(members.map((i) => [i, 0]));
  for (let k = 0; k < d; k++) {
    const sorted = [...members].sort((a, b) => (losses(a)[k] as number) - (losses(b)[k] as number) || a - b);
    const lo = losses(sorted[0] as number)[k] as number;
    const hi = losses(sorted[sorted.length - 1] as number)[k] as number;
    crowd.set(sorted[0] as number, Infinity);
    crowd.set(sorted[sorted.length - 1] as number, Infinity);
    for (let j = 1; j < sorted.length - 1; j++) {
      const gap =
        ((losses(sorted[j + 1] as number)[k] as number) - (losses(sorted[j - 1] as number)[k] as number)) /
        (hi - lo || 1);
      crowd.set(sorted[j] as number, (crowd.get(sorted[j] as number) as number) + gap);
    }
  }
  return [...members].sort((a, b) => (crowd.get(b) as number) - (crowd.get(a) as number) || a - b);
}

/** Number of completed or pruned trials (the ones that count towards `nStartupTrials`). */
export function rankedCount(trials: readonly TpeTrial[]): number {
  return trials.filter((t) => t.s === 'completed' || t.s === 'pruned').length;
}

/** Splits trial indices into the good and bad groups (see the module comment), each in trial order. */
export function splitGoodBad(
  trials: readonly TpeTrial[],
  spec: TpeSpec,
  sign: 1 | -1,
): { good: number[]; bad: number[] } {
  const loss = (i: number): number => sign * ((trials[i] as TpeTrial).y as number);
  const completed: number[] = [];
  const infeasible: number[] = [];
  const prunedScored: number[] = [];
  const prunedBare: number[] = [];
  const rest: number[] = [];
  trials.forEach((t, i) => {
    if (t.s === 'completed' && (t.v ?? 0) > 0) infeasible.push(i);
    else if (t.s === 'completed') completed.push(i);
    else if (t.s === 'pruned' && typeof t.y === 'number') prunedScored.push(i);
    else if (t.s === 'pruned') prunedBare.push(i);
    else rest.push(i);
  });
  const byLoss = (a: number, b: number): number => loss(a) - loss(b) || a - b;
  const violation = (i: number): number => (trials[i] as TpeTrial).v ?? 0;
  const multi = completed.length > 0 && completed.every((i) => Array.isArray((trials[i] as TpeTrial).o));
  let feasible: number[];
  if (multi) {
    const losses = (i: number): number[] => (trials[i] as TpeTrial).o as number[];
    const ranks = nonDominatedRanks(completed.map((i) => losses(i).map((x) => -x)));
    feasible = [];
    for (let r = 0; feasible.length < completed.length; r++) {
      const front = completed.filter((_, j) => ranks[j] === r);
      feasible.push(...orderFront(front, losses));
    }
  } else {
    feasible = completed.sort(byLoss);
  }
  const ranked = [
    ...feasible,
    ...infeasible.sort((a, b) => violation(a) - violation(b) || a - b),
    ...prunedScored.sort(byLoss),
    ...prunedBare,
  ];
  const nGood = Math.min(Math.ceil(spec.gamma * ranked.length), 25);
  const good = ranked.slice(0, nGood).sort((a, b) => a - b);
  const bad = [...ranked.slice(nGood), ...rest].sort((a, b) => a - b);
  return { good, bad };
}

interface Group {
  names: string[];
  scales: Scale[];
}

function observations(trials: readonly TpeTrial[], idx: readonly number[], g: Group): number[][] {
  const rows: number[][] = [];
  for (const i of idx) {
    const c = (trials[i] as TpeTrial).c;
    if (!g.names.every((n) => n in c)) continue;
    rows.push(g.names.map((n, d) => (g.scales[d] as Scale).toT(c[n] as never)));
  }
  return rows;
}

function chooseJointly(
  trials: readonly TpeTrial[],
  split: { good: number[]; bad: number[] },
  g: Group,
  spec: TpeSpec,
  rng: Rng,
): number[] {
  const opts: ParzenOptions = {
    priorWeight: spec.priorWeight,
    considerEndpoints: spec.considerEndpoints,
    bandwidth: spec.bandwidth ?? LEGACY_BANDWIDTH,
  };
  const goodRows = observations(trials, split.good, g);
  const badRows = observations(trials, split.bad, g);
  const multi = g.names.length > 1 ? { ...opts, multivariateDims: g.names.length } : opts;
  const below = buildMixture(g.scales, goodRows, defaultWeights(goodRows.length), multi);
  const above = buildMixture(g.scales, badRows, defaultWeights(badRows.length), multi);
  let best: number[] = [];
  let bestScore = -Infinity;
  for (let k = 0; k < spec.nEiCandidates; k++) {
    const x = sampleMixture(below, rng);
    const score = logPdf(below, x) - logPdf(above, x);
    if (k === 0 || score > bestScore) {
      best = x;
      bestScore = score;
    }
  }
  return best;
}

/** Proposes one joint configuration by TPE (random while fewer than `nStartupTrials` trials are ranked). */
export function proposeTpe(
  space: SearchSpace,
  order: readonly string[],
  trials: readonly TpeTrial[],
  spec: TpeSpec,
  sign: 1 | -1,
  rng: Rng,
): Params {
  if (rankedCount(trials) < spec.nStartupTrials) return sampleConfig(space, rng);
  const split = splitGoodBad(trials, spec, sign);
  const out: Params = {};
  const assign = (g: Group, x: readonly number[]): void => {
    g.names.forEach((n, d) => {
      out[n] = (g.scales[d] as Scale).fromT(x[d] as number);
    });
  };
  let jointDone = new Set<string>();
  for (const name of order) {
    if (jointDone.has(name) || !isActive(space, name, out)) continue;
    const d = space[name] as Domain;
    const scale = scaleOf(d);
    if (!scale) {
      out[name] = (d as Extract<Domain, { type: 'const' }>).value;
      continue;
    }
    if (spec.multivariate && name !== FAMILY_PARAM && d.when?.param === FAMILY_PARAM) {
      const members = order.filter((n) => {
        const m = space[n] as Domain;
        return m.when?.param === FAMILY_PARAM && isActive(space, n, out) && scaleOf(m) !== undefined;
      });
      const g: Group = { names: members, scales: members.map((n) => scaleOf(space[n] as Domain) as Scale) };
      assign(g, chooseJointly(trials, split, g, spec, rng));
      jointDone = new Set(members);
      continue;
    }
    const g: Group = { names: [name], scales: [scale] };
    assign(g, chooseJointly(trials, split, g, spec, rng));
  }
  return out;
}
