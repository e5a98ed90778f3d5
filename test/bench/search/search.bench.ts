/**
 * `npm run bench:search`: foldwise's random, Sobol and TPE strategies (its defaults, its TPE asking 4 at a time, and
 * Optuna's defaults run through foldwise's TPE) against Optuna 3.1's univariate TPE, multivariate TPE, random sampler
 * and its strongest TPE setting (multivariate, group, constant liar, 4 in flight) via /usr/bin/python3 optuna_peer.py,
 * on Branin, Hartmann-6 and a noisy 5-fold objective, equal budgets, 10 seeds by default (BENCH_SEEDS, BENCH_SEED0;
 * BENCH_OUT=file.json also writes every seed's regret); then fold racing on a noisy 5-fold objective with 40
 * configurations.
 * Prints one table per part; run on purpose, not in the test suite.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  racingSpecSchema,
  searchSpaceSchema,
  strategySpecSchema,
  type StrategySpecInput,
} from '@foldwise/spec';
import { createRacer, createRng, createStrategy, deriveSeed } from '@foldwise/selection';
import { noisyTruth, PROBLEMS } from './problems';

const BUDGET = Number(process.env['BENCH_BUDGET'] ?? 60);
const SEEDS = Array.from(
  { length: Number(process.env['BENCH_SEEDS'] ?? 10) },
  (_, i) => i + Number(process.env['BENCH_SEED0'] ?? 0),
);
const SKIP_OPTUNA = process.env['BENCH_SKIP_OPTUNA'] === '1';
const TPE_SPEC: StrategySpecInput = JSON.parse(
  process.env['BENCH_TPE'] ?? '{"kind":"tpe"}',
) as StrategySpecInput;

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

/** Trials foldwise's TPE asks for at a time in the `foldwise-tpe-ask4` rows (the strongest Optuna peer has 4 in flight). */
const IN_FLIGHT = 4;

function runFoldwise(problemIndex: number, spec: StrategySpecInput, seed: number, inFlight = 1): number {
  const prob = PROBLEMS[problemIndex]!;
  const s = createStrategy(
    strategySpecSchema.parse(spec),
    [{ model: prob.name, space: searchSpaceSchema.parse(prob.space) }],
    {
      seed,
      direction: 'minimize',
      budget: BUDGET,
    },
  );
  const noise = createRng(deriveSeed(seed, 'noise'));
  let best = Infinity;
  let bestTruth = Infinity;
  while (!s.exhausted) {
    const batch = s.ask(inFlight);
    for (const p of batch) {
      const y = prob.observe(p.params, noise);
      if (y < best) {
        best = y;
        bestTruth = prob.truth(p.params);
      }
      s.tell(p.trialIndex, { status: 'completed', score: y });
    }
  }
  return bestTruth - prob.optimum;
}

/** How foldwise's TPE defaults were chosen, printed with every run (details in RESULTS.md). */
const TUNING_DISCLOSURE = [
  "How foldwise's TPE defaults were chosen: `multivariate: true` and `gamma: 0.25` (commits fdd9cc3, a267d6d, seeds",
  '100–119) and `bandwidth: 0.1` (a089957, seeds 100–199 and 30-seed blocks 100–129, 200–229, 300–329) were picked by',
  "running this benchmark, foldwise only, on these same three problems; the other TPE defaults are Optuna 3.1's.",
  'Seeds 0–9 and 400–499 were not in the selection tables (0–9 were seen before the bandwidth change: their Hartmann-6',
  'ratio 1.148 prompted it), but the problems are the ones the defaults were tuned on, while Optuna runs untuned defaults.',
  "The `foldwise-tpe-optuna-defaults` rows run foldwise's TPE with Optuna's defaults (γ 0.1, bandwidth factor 0.2),",
  'univariate and multivariate, to show what the tuning contributes.',
];

function fmt(x: number): string {
  return Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(4) : x.toExponential(2);
}

function searchPart(): void {
  const regrets: Record<string, Record<string, number[]>> = {};
  const methods: [string, StrategySpecInput][] = [
    ['foldwise-random', { kind: 'random' }],
    ['foldwise-sobol', { kind: 'sobol' }],
    ['foldwise-tpe', TPE_SPEC],
    ['foldwise-tpe-optuna-defaults', { kind: 'tpe', multivariate: false, gamma: 0.1 }],
    [
      'foldwise-tpe-optuna-defaults-multivariate',
      { kind: 'tpe', multivariate: true, gamma: 0.1, bandwidth: 0.2 },
    ],
  ];
  PROBLEMS.forEach((prob, i) => {
    regrets[prob.name] = {};
    for (const [name, spec] of methods)
      regrets[prob.name]![name] = SEEDS.map((seed) => runFoldwise(i, spec, seed));
    regrets[prob.name]!['foldwise-tpe-ask4'] = SEEDS.map((seed) => runFoldwise(i, TPE_SPEC, seed, IN_FLIGHT));
  });
  let optunaVersion = 'skipped';
  if (!SKIP_OPTUNA) {
    const out = execFileSync(
      '/usr/bin/python3',
      [path.join(__dirname, 'optuna_peer.py'), JSON.stringify({ budget: BUDGET, seeds: SEEDS })],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      },
    );
    const peer = JSON.parse(out) as Record<string, Record<string, number[]>> & { optuna_version: string };
    optunaVersion = peer.optuna_version;
    for (const prob of PROBLEMS) Object.assign(regrets[prob.name]!, peer[prob.name]);
  }
  const rawOut = process.env['BENCH_OUT'];
  if (rawOut) writeFileSync(rawOut, JSON.stringify({ budget: BUDGET, seeds: SEEDS, optunaVersion, regrets }));
  console.log(
    `## Search: final regret (true value of the best observed configuration − optimum), ${BUDGET} trials, seeds ${SEEDS[0]}–${SEEDS[SEEDS.length - 1]}`,
  );
  console.log(
    `foldwise TPE spec: ${JSON.stringify(strategySpecSchema.parse(TPE_SPEC))} (foldwise-tpe-ask4: the same, asking ${IN_FLIGHT} at a time with the constant liar); Optuna ${optunaVersion} TPESampler(seed=s) (optuna-tpe, univariate) / TPESampler(seed=s, multivariate=True) (optuna-tpe-multivariate) / RandomSampler(seed=s), otherwise defaults; optuna-tpe-strongest: TPESampler(seed=s, multivariate=True, group=True, constant_liar=True) with ${IN_FLIGHT} trials in flight (Optuna 5.0's default TPE setting)`,
  );
  console.log('');
  for (const line of TUNING_DISCLOSURE) console.log(line);
  console.log('');
  console.log('| problem | method | median regret | IQR (q25–q75) |');
  console.log('| --- | --- | --- | --- |');
  for (const prob of PROBLEMS) {
    for (const [method, xs] of Object.entries(regrets[prob.name]!)) {
      console.log(
        `| ${prob.name} | ${method} | ${fmt(quantile(xs, 0.5))} | ${fmt(quantile(xs, 0.25))}–${fmt(quantile(xs, 0.75))} |`,
      );
    }
  }
  console.log('');
  console.log(
    'Ratios of median regret (below 1: the first is better). foldwise TPE = its defaults (tuned on these problems); "untuned" = foldwise TPE with Optuna\'s defaults in the same mode as the Optuna sampler it is divided by.',
  );
  console.log('');
  console.log(
    '| problem | foldwise TPE / Optuna TPE univariate | foldwise TPE / Optuna TPE multivariate | foldwise TPE asking 4 / Optuna strongest (4 in flight) | untuned univariate / Optuna univariate | untuned multivariate / Optuna multivariate | foldwise TPE / foldwise random | TPE beats random |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const prob of PROBLEMS) {
    const r = regrets[prob.name]!;
    const med = (method: string): number => (r[method] ? quantile(r[method], 0.5) : NaN);
    const tpe = med('foldwise-tpe');
    const random = med('foldwise-random');
    const ratio = (a: string, b: string): string => (med(a) / med(b)).toFixed(3);
    console.log(
      `| ${prob.name} | ${ratio('foldwise-tpe', 'optuna-tpe')} | ${ratio('foldwise-tpe', 'optuna-tpe-multivariate')} | ${ratio('foldwise-tpe-ask4', 'optuna-tpe-strongest')} | ${ratio('foldwise-tpe-optuna-defaults', 'optuna-tpe')} | ${ratio('foldwise-tpe-optuna-defaults-multivariate', 'optuna-tpe-multivariate')} | ${(tpe / random).toFixed(3)} | ${tpe < random ? 'yes' : 'no'} |`,
    );
  }
}

/** Racing: 40 configurations, 5 folds, 4 in flight (round-robin over their next folds); minimise the error. */
function racingPart(): void {
  const N_CONFIGS = 40;
  const N_FOLDS = 5;
  const WINDOW = 4;
  const variants: [string, ReturnType<typeof racingSpecSchema.parse>][] = [
    [
      'corrected-t, alpha 0.05, minFolds 3',
      racingSpecSchema.parse({ enabled: true, test: 'corrected-t', alpha: 0.05, minFolds: 3 }),
    ],
    [
      'corrected-t, alpha 0.05, minFolds 2',
      racingSpecSchema.parse({ enabled: true, test: 'corrected-t', alpha: 0.05, minFolds: 2 }),
    ],
    [
      'wilcoxon, alpha 0.05, minFolds 3',
      racingSpecSchema.parse({ enabled: true, test: 'wilcoxon', alpha: 0.05, minFolds: 3 }),
    ],
    [
      'anytime-t, alpha 0.05, minFolds 3',
      racingSpecSchema.parse({ enabled: true, test: 'anytime-t', alpha: 0.05, minFolds: 3 }),
    ],
  ];
  console.log('');
  console.log(
    `## Racing: ${N_CONFIGS} random configurations of the noisy problem, ${N_FOLDS} folds (shared fold effect sd 0.03, config×fold noise sd 0.015), ${WINDOW} in flight, seeds ${SEEDS[0]}–${SEEDS[SEEDS.length - 1]}`,
  );
  console.log('');
  console.log(
    '| racing | folds saved (mean) | folds saved (min–max) | same selection as without racing | selected true regret with / without (mean) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  const space = searchSpaceSchema.parse(PROBLEMS[2]!.space);
  for (const [label, spec] of variants) {
    const saved: number[] = [];
    let same = 0;
    let regretWith = 0;
    let regretWithout = 0;
    for (const seed of SEEDS) {
      const configs = createStrategy(strategySpecSchema.parse({ kind: 'random' }), [{ model: 'm', space }], {
        seed,
        direction: 'minimize',
      })
        .ask(N_CONFIGS)
        .map((p) => p.params);
      const rng = createRng(deriveSeed(seed, 'racing-noise'));
      const foldEffect = Array.from({ length: N_FOLDS }, () => 0.03 * rng.normal());
      const scores = configs.map((c) => foldEffect.map((e) => noisyTruth(c) + e + 0.015 * rng.normal()));
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const argmin = (idx: number[]): number =>
        idx.reduce((b, i) => (mean(scores[i]!) < mean(scores[b]!) ? i : b), idx[0]!);
      const without = argmin(configs.map((_, i) => i));
      const racer = createRacer(spec, { nFolds: N_FOLDS, direction: 'minimize' });
      const nextFold = configs.map(() => 0);
      let running: number[] = [];
      let started = 0;
      let run = 0;
      while (started < N_CONFIGS || running.length > 0) {
        while (running.length < WINDOW && started < N_CONFIGS) running.push(started++);
        const t = running.shift()!;
        const f = nextFold[t]!++;
        run++;
        racer.onFoldResult(t, f, scores[t]![f]!);
        if (nextFold[t]! < N_FOLDS && !racer.isPruned(t)) running.push(t);
        running = running.filter((x) => !racer.isPruned(x));
      }
      const complete = configs.map((_, i) => i).filter((i) => !racer.isPruned(i));
      const withRacing = argmin(complete);
      saved.push(1 - run / (N_CONFIGS * N_FOLDS));
      if (withRacing === without) same++;
      regretWith += noisyTruth(configs[withRacing]!) - 0.05;
      regretWithout += noisyTruth(configs[without]!) - 0.05;
    }
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    console.log(
      `| ${label} | ${pct(saved.reduce((a, b) => a + b, 0) / saved.length)} | ${pct(Math.min(...saved))}–${pct(Math.max(...saved))} | ${same} of ${SEEDS.length} | ${fmt(regretWith / SEEDS.length)} / ${fmt(regretWithout / SEEDS.length)} |`,
    );
  }
}

if (process.env['BENCH_PART'] !== 'racing') searchPart();
if (process.env['BENCH_PART'] !== 'search') racingPart();
