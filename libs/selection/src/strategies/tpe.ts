/**
 * Tree-structured Parzen Estimator proposals (Bergstra et al. 2011, with Optuna 3's estimator details).
 *
 * How outcomes are used: completed trials are ranked by score; pruned trials rank after every completed
 * one (among themselves by the score they were stopped with, those without a score last); the best
 * `min(ceil(γ·n), 25)` of these n ranked trials form the "good" group, the rest the "bad" group. Failed
 * trials and pending ones (asked, not yet told: the constant liar) join the bad group as the worst
 * observations, so parallel asks spread out and regions that fail are avoided. A parameter's estimators
 * use only the trials where that parameter was active.
 */
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
  const prunedScored: number[] = [];
  const prunedBare: number[] = [];
  const rest: number[] = [];
  trials.forEach((t, i) => {
    if (t.s === 'completed') completed.push(i);
    else if (t.s === 'pruned' && typeof t.y === 'number') prunedScored.push(i);
    else if (t.s === 'pruned') prunedBare.push(i);
    else rest.push(i);
  });
  const byLoss = (a: number, b: number): number => loss(a) - loss(b) || a - b;
  const ranked = [...completed.sort(byLoss), ...prunedScored.sort(byLoss), ...prunedBare];
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
