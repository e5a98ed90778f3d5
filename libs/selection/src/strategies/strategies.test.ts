import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  searchSpaceSchema,
  strategySpecSchema,
  type SearchSpace,
  type StrategySpecInput,
} from '@foldwise/spec';
import { createRng } from '../prng';
import { configKey, enumerateGrid, inDomain, resolveActive, spaceSize } from '../space';
import { createStrategy, defaultFamilyFloor, type Outcome, type Proposal, type Strategy } from './strategy';
import { splitGoodBad } from './tpe';
import { hypervolume2d } from '@foldwise/compare';

const mlp: SearchSpace = searchSpaceSchema.parse({
  lr: { type: 'logUniform', low: 1e-4, high: 1 },
  units: { type: 'intLogUniform', low: 8, high: 256 },
  optimizer: { type: 'choice', values: ['sgd', 'adam'] },
  momentum: { type: 'step', low: 0, high: 0.9, step: 0.1, when: { param: 'optimizer', in: ['sgd'] } },
  epochs: 10,
});
const logreg: SearchSpace = searchSpaceSchema.parse({
  C: { type: 'logUniform', low: 1e-3, high: 1e3 },
  penalty: { type: 'choice', values: ['l1', 'l2'] },
});
const small: SearchSpace = searchSpaceSchema.parse({
  a: { type: 'choice', values: [1, 2, 3] },
  b: { type: 'intUniform', low: 0, high: 3 },
  c: { type: 'choice', values: ['x', 'y'], when: { param: 'a', in: [1] } },
});
const smallFinite: SearchSpace = searchSpaceSchema.parse({
  lr: { type: 'step', low: 0.01, high: 0.05, step: 0.02 },
  depth: { type: 'intUniform', low: 1, high: 3 },
});
const smallGrid: SearchSpace = searchSpaceSchema.parse({
  lr: { type: 'logUniform', low: 1e-3, high: 1e-1, gridPoints: 3 },
  depth: { type: 'intUniform', low: 1, high: 3 },
});

const families = [
  { model: 'mlp', space: mlp },
  { model: 'logreg', space: logreg },
];

const specs: StrategySpecInput[] = [
  { kind: 'random' },
  { kind: 'sobol' },
  { kind: 'tpe', nStartupTrials: 4, multivariate: false },
  { kind: 'tpe', nStartupTrials: 4, multivariate: true },
];

function objective(p: Proposal): number {
  const v = Object.values(p.params).reduce<number>(
    (s, x) => s + (typeof x === 'number' ? Math.log1p(Math.abs(x)) : String(x).length),
    0,
  );
  return p.model === 'mlp' ? v : -v;
}

function outcomeFor(p: Proposal, code: number): Outcome {
  if (code === 0) return { status: 'failed' };
  if (code === 1) return { status: 'pruned', score: objective(p) - 1 };
  if (code === 2) return { status: 'pruned' };
  return { status: 'completed', score: objective(p) };
}

/** Drives a strategy with asks of the given sizes, telling every other proposal right away (the rest stay pending). */
function drive(s: Strategy, sizes: readonly number[], codes: readonly number[]): Proposal[] {
  const all: Proposal[] = [];
  let k = 0;
  for (const n of sizes) {
    const got = s.ask(n);
    for (const p of got) {
      all.push(p);
      const code = codes[k++ % codes.length] as number;
      if (code !== 5) s.tell(p.trialIndex, outcomeFor(p, code));
    }
  }
  return all;
}

const arbDrive = fc.record({
  spec: fc.constantFrom(...specs),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
  sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 8 }),
  codes: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 10 }),
  direction: fc.constantFrom('maximize' as const, 'minimize' as const),
});

test('the same seed and history give the same proposals', () => {
  fc.assert(
    fc.property(arbDrive, ({ spec, seed, sizes, codes, direction }) => {
      const mk = (): Strategy =>
        createStrategy(strategySpecSchema.parse(spec), families, { seed, direction });
      assert.deepEqual(drive(mk(), sizes, codes), drive(mk(), sizes, codes));
    }),
    { numRuns: 40 },
  );
});

test('a strategy restored from its JSON state proposes exactly what the original goes on to propose', () => {
  fc.assert(
    fc.property(
      arbDrive,
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }),
      ({ spec, seed, sizes, codes, direction }, later) => {
        const parsed = strategySpecSchema.parse(spec);
        const original = createStrategy(parsed, families, { seed, direction, budget: 40 });
        drive(original, sizes, codes);
        const restored = createStrategy(
          parsed,
          families,
          { seed, direction, budget: 40 },
          JSON.parse(JSON.stringify(original.state())),
        );
        assert.deepEqual(restored.state(), original.state());
        assert.deepEqual(drive(restored, later, codes), drive(original, later, codes));
      },
    ),
    { numRuns: 40 },
  );
});

test('a state is refused by a strategy with another seed or spec', () => {
  const spec = strategySpecSchema.parse({ kind: 'random' });
  const s = createStrategy(spec, families, { seed: 1, direction: 'maximize' });
  s.ask(2);
  assert.throws(
    () => createStrategy(spec, families, { seed: 2, direction: 'maximize' }, s.state()),
    /different spec, families, seed/,
  );
  assert.throws(
    () =>
      createStrategy(
        strategySpecSchema.parse({ kind: 'sobol' }),
        families,
        { seed: 1, direction: 'maximize' },
        s.state(),
      ),
    /belongs to a 'random' strategy/,
  );
});

test('proposals respect bounds, log scales, rounding and conditions, and every family can be proposed', () => {
  fc.assert(
    fc.property(arbDrive, ({ spec, seed, sizes, codes, direction }) => {
      const s = createStrategy(strategySpecSchema.parse(spec), families, { seed, direction });
      const props = drive(s, [...sizes, 10], codes);
      props.forEach((p, i) => assert.equal(p.trialIndex, i));
      for (const p of props) {
        const space = p.model === 'mlp' ? mlp : logreg;
        assert.deepEqual(resolveActive(space, p.params), p.params);
        assert.deepEqual(
          Object.keys(p.params).sort(),
          Object.keys(resolveActive(space, { ...p.params })).sort(),
        );
        for (const [k, v] of Object.entries(p.params))
          assert.ok(inDomain(space[k] as never, v), `${k}=${JSON.stringify(v)}`);
        if (p.model === 'mlp') assert.equal('momentum' in p.params, p.params['optimizer'] === 'sgd');
      }
    }),
    { numRuns: 30 },
  );
  const s = createStrategy(strategySpecSchema.parse({ kind: 'sobol' }), families, {
    seed: 3,
    direction: 'maximize',
  });
  assert.deepEqual(new Set(s.ask(16).map((p) => p.model)), new Set(['mlp', 'logreg']));
});

for (const spec of [...specs, { kind: 'grid' }, { kind: 'grid', shuffle: true }] as StrategySpecInput[]) {
  test(`${JSON.stringify(spec)} never proposes a configuration twice and is exhausted exactly when the space is`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        (seed, sizes) => {
          const fams = [
            { model: 'a', space: small },
            { model: 'b', space: smallFinite },
          ];
          const s = createStrategy(strategySpecSchema.parse(spec), fams, { seed, direction: 'minimize' });
          const size = spaceSize(small) + spaceSize(smallFinite);
          const keys = new Set<string>();
          let k = 0;
          while (!s.exhausted) {
            const n = sizes[k++ % sizes.length] as number;
            const got = s.ask(n);
            assert.ok(got.length === n || s.exhausted, 'a short ask only once exhausted');
            for (const p of got) {
              const key = configKey(p.model, p.params);
              assert.ok(!keys.has(key), `duplicate ${key}`);
              keys.add(key);
              s.tell(p.trialIndex, { status: 'completed', score: p.trialIndex % 7 });
            }
          }
          assert.equal(keys.size, size);
          assert.deepEqual(s.ask(3), []);
        },
      ),
      { numRuns: 8 },
    );
  });
}

test('a grid over several families is their grids concatenated, each configuration once', () => {
  const fams = [
    { model: 'a', space: small },
    { model: 'b', space: smallGrid },
  ];
  const s = createStrategy(strategySpecSchema.parse({ kind: 'grid' }), fams, {
    seed: 0,
    direction: 'maximize',
  });
  const got = s.ask(1000);
  const expected = [
    ...enumerateGrid(small).map((p) => ({ model: 'a', params: p })),
    ...enumerateGrid(smallGrid).map((p) => ({ model: 'b', params: p })),
  ];
  assert.deepEqual(
    got.map((p) => ({ model: p.model, params: p.params })),
    expected,
  );
  assert.equal(s.exhausted, true);
  const shuffled = createStrategy(strategySpecSchema.parse({ kind: 'grid', shuffle: true }), fams, {
    seed: 5,
    direction: 'maximize',
  }).ask(1000);
  assert.notDeepEqual(
    shuffled.map((p) => p.params),
    got.map((p) => p.params),
  );
  assert.deepEqual(
    shuffled.map((p) => configKey(p.model, p.params)).sort(),
    got.map((p) => configKey(p.model, p.params)).sort(),
  );
});

test('a grid over a continuous parameter without gridPoints is refused with the parameter named', () => {
  assert.throws(
    () =>
      createStrategy(strategySpecSchema.parse({ kind: 'grid' }), [{ model: 'mlp', space: mlp }], {
        seed: 0,
        direction: 'maximize',
      }),
    /model 'mlp': grid: parameter 'lr' is continuous \(logUniform\); give it gridPoints or use another strategy/,
  );
});

test('the budget bounds the number of proposals across asks', () => {
  const s = createStrategy(strategySpecSchema.parse({ kind: 'random' }), families, {
    seed: 0,
    direction: 'maximize',
    budget: 5,
  });
  assert.equal(s.ask(3).length, 3);
  assert.equal(s.exhausted, false);
  assert.equal(s.ask(3).length, 2);
  assert.equal(s.exhausted, true);
});

test('tell rejects unknown trials, completed trials without a score and a changed outcome', () => {
  const s = createStrategy(strategySpecSchema.parse({ kind: 'tpe' }), families, {
    seed: 0,
    direction: 'maximize',
  });
  s.ask(2);
  assert.throws(() => s.tell(5, { status: 'completed', score: 1 }), /trialIndex 5 was never proposed/);
  assert.throws(() => s.tell(0, { status: 'completed' }), /completed without a score/);
  assert.throws(() => s.tell(0, { status: 'completed', score: Number.NaN }), /score must be a finite number/);
  s.tell(0, { status: 'completed', score: 1 });
  s.tell(0, { status: 'completed', score: 1 });
  assert.throws(() => s.tell(0, { status: 'failed' }), /already told 'completed'/);
});

test('TPE ranks completed before pruned trials and counts failed and pending ones as bad', () => {
  const spec = strategySpecSchema.parse({ kind: 'tpe', gamma: 0.5 });
  if (spec.kind !== 'tpe') throw new Error('unreachable');
  const trials = [
    { c: {}, s: 'completed' as const, y: 3 },
    { c: {}, s: 'pruned' as const, y: 10 },
    { c: {}, s: 'failed' as const },
    { c: {} },
    { c: {}, s: 'completed' as const, y: 5 },
    { c: {}, s: 'pruned' as const },
  ];
  assert.deepEqual(splitGoodBad(trials, spec, -1), { good: [0, 4], bad: [1, 2, 3, 5] });
  assert.deepEqual(splitGoodBad(trials, spec, 1), { good: [0, 4], bad: [1, 2, 3, 5] });
  const three = strategySpecSchema.parse({ kind: 'tpe', gamma: 0.2 });
  if (three.kind !== 'tpe') throw new Error('unreachable');
  assert.deepEqual(splitGoodBad(trials, three, -1).good, [4]);
  assert.deepEqual(splitGoodBad(trials, three, 1).good, [0]);
});

function bestAfter(spec: StrategySpecInput, seed: number): number {
  const space = searchSpaceSchema.parse({
    x: { type: 'uniform', low: -10, high: 10 },
    y: { type: 'logUniform', low: 1e-3, high: 10 },
  });
  const s = createStrategy(strategySpecSchema.parse(spec), [{ model: 'q', space }], {
    seed,
    direction: 'minimize',
    budget: 40,
  });
  let best = Infinity;
  while (!s.exhausted) {
    for (const p of s.ask(2)) {
      const v = ((p.params['x'] as number) - 3) ** 2 + Math.log10(p.params['y'] as number) ** 2;
      best = Math.min(best, v);
      s.tell(p.trialIndex, { status: 'completed', score: v });
    }
  }
  return best;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

test('TPE, univariate and multivariate, reaches a lower median best value than random search on a smooth function', () => {
  const seeds = [...Array(9).keys()];
  const random = median(seeds.map((seed) => bestAfter({ kind: 'random' }, seed)));
  for (const multivariate of [false, true]) {
    const tpe = median(seeds.map((seed) => bestAfter({ kind: 'tpe', multivariate }, seed)));
    assert.ok(tpe < random, `multivariate=${multivariate}: TPE median ${tpe} vs random ${random}`);
  }
});

test('TPE with pending trials (constant liar) spreads a parallel ask instead of repeating its best guess', () => {
  const space = searchSpaceSchema.parse({ x: { type: 'uniform', low: 0, high: 1 } });
  const s = createStrategy(
    strategySpecSchema.parse({ kind: 'tpe', nStartupTrials: 5 }),
    [{ model: 'q', space }],
    { seed: 7, direction: 'minimize' },
  );
  const rng = createRng(1);
  for (const p of s.ask(20))
    s.tell(p.trialIndex, {
      status: 'completed',
      score: Math.abs((p.params['x'] as number) - 0.5) + 0.01 * rng.next(),
    });
  const xs = s.ask(8).map((p) => p.params['x'] as number);
  assert.equal(new Set(xs).size, 8);
  assert.ok(Math.max(...xs) - Math.min(...xs) > 0.01, `spread ${JSON.stringify(xs)}`);
});

test('a TPE spec stored before the bandwidth option proposes as it did with factor 0.2, and the factor changes multivariate proposals', () => {
  const sizes = Array.from({ length: 30 }, () => 1);
  const run = (spec: StrategySpecInput | Record<string, unknown>): Proposal[] =>
    drive(
      createStrategy(spec as ReturnType<typeof strategySpecSchema.parse>, families, {
        seed: 11,
        direction: 'minimize',
      }),
      sizes,
      [3],
    );
  const { bandwidth, ...legacy } = strategySpecSchema.parse({ kind: 'tpe', nStartupTrials: 4 }) as Extract<
    ReturnType<typeof strategySpecSchema.parse>,
    { kind: 'tpe' }
  >;
  assert.equal(bandwidth, 0.1);
  assert.deepEqual(run(legacy), run({ ...legacy, bandwidth: 0.2 }));
  assert.notDeepEqual(
    run({ ...legacy, bandwidth: 0.1 }).slice(4),
    run({ ...legacy, bandwidth: 0.2 }).slice(4),
  );
});

test('across 50 seeds of a 6-trial two-family search every family gets at least its floor of trials', () => {
  const logistic = searchSpaceSchema.parse({ learningRate: { type: 'logUniform', low: 1e-3, high: 0.3 } });
  const mlpSmall = searchSpaceSchema.parse({
    units: { type: 'choice', values: [32, 64, 128] },
    learningRate: { type: 'logUniform', low: 1e-3, high: 0.3 },
  });
  const fams = [
    { model: 'logistic', space: logistic },
    { model: 'mlp', space: mlpSmall },
  ];
  const kinds: StrategySpecInput[] = [
    { kind: 'random' },
    { kind: 'sobol' },
    { kind: 'tpe', nStartupTrials: 4 },
  ];
  let emptyWithoutFloor = 0;
  for (const input of kinds) {
    const spec = strategySpecSchema.parse(input);
    const floor = defaultFamilyFloor({ families: 2, trials: 6, strategy: spec });
    assert.ok(floor >= 2, `default floor ${floor}`);
    for (let seed = 0; seed < 50; seed++) {
      const run = (familyFloor: number) => {
        const s = createStrategy(spec, fams, { seed, direction: 'maximize', familyFloor });
        const models: string[] = [];
        while (models.length < 6) {
          for (const p of s.ask(2)) {
            models.push(p.model);
            s.tell(p.trialIndex, { status: 'completed', score: objective(p) });
          }
        }
        return models;
      };
      const models = run(floor);
      for (const f of fams) {
        const n = models.filter((m) => m === f.model).length;
        assert.ok(n >= floor, `${input.kind} seed ${seed}: ${f.model} got ${n} < ${floor} trials`);
      }
      if (new Set(run(0)).size < 2) emptyWithoutFloor++;
    }
  }
  assert.ok(emptyWithoutFloor > 0, 'without a floor some searches leave a family without a trial');
});

test('the family floor goes round robin first, then the strategy chooses; it survives a restore from state', () => {
  const spec = strategySpecSchema.parse({ kind: 'random' });
  const three = [...families, { model: 'third', space: small }];
  const s = createStrategy(spec, three, { seed: 3, direction: 'maximize', familyFloor: 2 });
  const first = s.ask(6).map((p) => p.model);
  assert.deepEqual(first, ['mlp', 'logreg', 'third', 'mlp', 'logreg', 'third']);
  const restored = createStrategy(spec, three, { seed: 3, direction: 'maximize' }, s.state());
  assert.equal(restored.state().floor, 2, 'the floor is part of the state');
  const grid = createStrategy(
    strategySpecSchema.parse({ kind: 'grid' }),
    [
      { model: 'a', space: smallFinite },
      { model: 'b', space: smallGrid },
    ],
    { seed: 0, direction: 'maximize', familyFloor: 1 },
  );
  const g = grid.ask(100);
  assert.deepEqual(
    g.slice(0, 2).map((p) => p.model),
    ['a', 'b'],
  );
  assert.equal(new Set(g.map((p) => configKey(p.model, p.params))).size, g.length, 'grid: no duplicates');
  assert.equal(
    g.length,
    enumerateGrid(smallFinite).length + enumerateGrid(smallGrid).length,
    'grid: all of it',
  );
  assert.equal(defaultFamilyFloor({ families: 1, trials: 6, strategy: spec }), 0);
  assert.equal(defaultFamilyFloor({ families: 3, trials: 2, strategy: spec }), 1);
  assert.equal(
    defaultFamilyFloor({
      families: 2,
      trials: 40,
      strategy: strategySpecSchema.parse({ kind: 'tpe', nStartupTrials: 10 }),
    }),
    5,
    'an even share of the startup trials',
  );
  assert.equal(defaultFamilyFloor({ families: 2, trials: 40, strategy: spec, minPerFamily: 7 }), 7);
});

test('TPE ranks feasible completed trials first, then infeasible ones by violation, then pruned ones', () => {
  const spec = strategySpecSchema.parse({ kind: 'tpe', gamma: 0.5 });
  if (spec.kind !== 'tpe') throw new Error('unreachable');
  const trials = [
    { c: {}, s: 'completed' as const, y: 9, v: 2 },
    { c: {}, s: 'completed' as const, y: 1 },
    { c: {}, s: 'completed' as const, y: 8, v: 0.5 },
    { c: {}, s: 'pruned' as const, y: 10 },
    { c: {}, s: 'completed' as const, y: 2 },
    { c: {} },
  ];
  // Six trials, gamma 0.5: three good. Maximising, the infeasible 9 and 8 would beat 1 and 2 on score alone.
  assert.deepEqual(splitGoodBad(trials, spec, -1).good, [1, 2, 4]);
  const tight = strategySpecSchema.parse({ kind: 'tpe', gamma: 0.34 });
  if (tight.kind !== 'tpe') throw new Error('unreachable');
  assert.deepEqual(splitGoodBad(trials, tight, -1).good, [1, 4]);
});

test('MOTPE ranks the non-dominated front of the objective losses first, whatever the single score says', () => {
  const spec = strategySpecSchema.parse({ kind: 'tpe', gamma: 0.5 });
  if (spec.kind !== 'tpe') throw new Error('unreachable');
  const trials = [
    { c: {}, s: 'completed' as const, y: 0, o: [1, 1] },
    { c: {}, s: 'completed' as const, y: 0, o: [2, 2] },
    { c: {}, s: 'completed' as const, y: 0, o: [0, 3] },
    { c: {}, s: 'completed' as const, y: 0, o: [3, 0] },
    { c: {}, s: 'completed' as const, y: 0, o: [3, 3] },
    { c: {}, s: 'completed' as const, y: 0, o: [0.5, 0.5], v: 1 },
  ];
  assert.deepEqual(splitGoodBad(trials, spec, 1).good, [0, 2, 3]);
});

test('tell stores objective values as losses and refuses a wrong count, a non-finite value or a negative violation', () => {
  const space = searchSpaceSchema.parse({ x: { type: 'uniform', low: 0, high: 1 } });
  const s = createStrategy(strategySpecSchema.parse({ kind: 'tpe' }), [{ model: 'q', space }], {
    seed: 1,
    direction: 'maximize',
    objectives: ['maximize', 'minimize'],
  });
  const [a, b, c, d] = s.ask(4) as Proposal[];
  s.tell(a!.trialIndex, { status: 'completed', score: 0.9, objectives: [0.9, 12], violation: 0 });
  s.tell(b!.trialIndex, { status: 'completed', score: 0.8, objectives: [0.8, 3], violation: 0.25 });
  const trials = (s.state() as unknown as { trials: { o?: number[]; v?: number }[] }).trials;
  assert.deepEqual(trials[0]?.o, [-0.9, 12]);
  assert.equal(trials[0]?.v, undefined);
  assert.equal(trials[1]?.v, 0.25);
  assert.throws(
    () => s.tell(c!.trialIndex, { status: 'completed', score: 1, objectives: [1] }),
    /1 objective values for 2/,
  );
  assert.throws(
    () => s.tell(c!.trialIndex, { status: 'completed', score: 1, objectives: [1, Number.NaN] }),
    /objective values must be finite/,
  );
  assert.throws(
    () => s.tell(d!.trialIndex, { status: 'completed', score: 1, violation: -1 }),
    /violation must be/,
  );
});

/** Drives TPE or random search for 40 trials on x in [0, 1], score -(x - 0.8)², feasible only for x <= 0.5. */
function feasibleShare(kind: 'tpe' | 'random', seed: number): number {
  const space = searchSpaceSchema.parse({ x: { type: 'uniform', low: 0, high: 1 } });
  const s = createStrategy(
    strategySpecSchema.parse(kind === 'tpe' ? { kind, nStartupTrials: 10 } : { kind }),
    [{ model: 'q', space }],
    {
      seed,
      direction: 'maximize',
      budget: 40,
    },
  );
  const late: number[] = [];
  while (!s.exhausted) {
    for (const p of s.ask(2)) {
      const x = p.params['x'] as number;
      if (p.trialIndex >= 20) late.push(x);
      s.tell(p.trialIndex, {
        status: 'completed',
        score: -((x - 0.8) ** 2),
        violation: Math.max(0, x - 0.5),
      });
    }
  }
  return late.filter((x) => x <= 0.5).length / late.length;
}

test('TPE with a constraint proposes mostly feasible configurations once it has data, unlike random search', () => {
  const seeds = [...Array(7).keys()];
  const tpe = median(seeds.map((seed) => feasibleShare('tpe', seed)));
  const random = median(seeds.map((seed) => feasibleShare('random', seed)));
  assert.ok(tpe >= 0.7 && tpe > random, `feasible share of late proposals: TPE ${tpe}, random ${random}`);
});

/** A ZDT1-like problem: f1 = x, f2 = g · (1 - sqrt(x / g)) with g = 1 + 9y; the front is y = 0. Returns the 2-D hypervolume. */
function zdtHypervolume(kind: 'tpe' | 'random', seed: number): number {
  const space = searchSpaceSchema.parse({
    x: { type: 'uniform', low: 0, high: 1 },
    y: { type: 'uniform', low: 0, high: 1 },
  });
  const s = createStrategy(
    strategySpecSchema.parse(kind === 'tpe' ? { kind, nStartupTrials: 10 } : { kind }),
    [{ model: 'q', space }],
    {
      seed,
      direction: 'minimize',
      budget: 50,
      objectives: ['minimize', 'minimize'],
    },
  );
  const pts: number[][] = [];
  while (!s.exhausted) {
    for (const p of s.ask(2)) {
      const x = p.params['x'] as number;
      const g = 1 + 9 * (p.params['y'] as number);
      const f = [x, g * (1 - Math.sqrt(x / g))];
      pts.push(f.map((v) => -v));
      s.tell(p.trialIndex, { status: 'completed', score: f[0] as number, objectives: f });
    }
  }
  return hypervolume2d(pts, [-1.1, -11]);
}

test('MOTPE reaches a larger median hypervolume than random search on a two-objective problem', () => {
  const seeds = [...Array(7).keys()];
  const tpe = median(seeds.map((seed) => zdtHypervolume('tpe', seed)));
  const random = median(seeds.map((seed) => zdtHypervolume('random', seed)));
  assert.ok(tpe > random, `median hypervolume: MOTPE ${tpe}, random ${random}`);
});
