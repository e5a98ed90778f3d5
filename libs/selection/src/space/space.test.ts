import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { searchSpaceSchema, type Domain, type SearchSpace } from '@foldwise/spec';
import { createRng } from '../prng';
import {
  activeParams,
  configKey,
  decodeValue,
  encodeValue,
  inDomain,
  isActive,
  paramOrder,
  resolveActive,
  sampleConfig,
  stepCount,
} from './space';
import { enumerateGrid, gridValues, spaceSize } from './grid';
import { jointSpace } from './joint';

const arbNumericDomain: fc.Arbitrary<Domain> = fc.oneof(
  fc
    .tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }))
    .map(([low, w]) => ({ type: 'uniform' as const, low, high: low + w })),
  fc
    .tuple(fc.double({ min: 1e-6, max: 1e2, noNaN: true }), fc.double({ min: 1.01, max: 1e4, noNaN: true }))
    .map(([low, r]) => ({ type: 'logUniform' as const, low, high: low * r })),
  fc
    .tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 40 }))
    .map(([low, w]) => ({ type: 'intUniform' as const, low, high: low + w })),
  fc
    .tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 500 }))
    .map(([low, w]) => ({ type: 'intLogUniform' as const, low, high: low + w })),
  fc
    .tuple(
      fc.integer({ min: -20, max: 20 }),
      fc.constantFrom(0.1, 0.25, 0.5, 2, 3),
      fc.integer({ min: 1, max: 30 }),
    )
    .map(([low, step, k]) => ({
      type: 'step' as const,
      low,
      high: low + step * k + (k % 2 ? step / 3 : 0),
      step,
    })),
);

test('sampled values respect bounds, integrality, steps and log scales', () => {
  fc.assert(
    fc.property(arbNumericDomain, fc.integer(), (d, seed) => {
      const rng = createRng(seed);
      for (let i = 0; i < 50; i++) {
        const v = decodeValue(d, rng.next());
        assert.ok(inDomain(d, v), `${JSON.stringify(v)} outside ${JSON.stringify(d)}`);
      }
    }),
  );
});

test('a logUniform domain is uniform on the log scale: each decade gets its share of samples', () => {
  const d: Domain = { type: 'logUniform', low: 1e-4, high: 1 };
  const rng = createRng('log-scale');
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 40_000; i++) {
    const v = decodeValue(d, rng.next()) as number;
    counts[Math.min(3, Math.floor(Math.log10(v) + 4))]! += 1;
  }
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 600, `decade count ${c}`);
});

test('every value of an integer or step domain can be drawn, none outside', () => {
  fc.assert(
    fc.property(
      arbNumericDomain.filter((d) => d.type === 'intUniform' || d.type === 'step'),
      (d) => {
        const all = gridValues('p', d);
        const n =
          d.type === 'step'
            ? stepCount(d)
            : (d as { high: number; low: number }).high - (d as { low: number }).low + 1;
        assert.equal(all.length, n);
        const seen = new Set<string>();
        for (let i = 0; i < all.length; i++) seen.add(JSON.stringify(decodeValue(d, (i + 0.5) / all.length)));
        assert.deepEqual([...seen].sort(), all.map((v) => JSON.stringify(v)).sort());
      },
    ),
  );
});

test('encoding a decoded value gives back a point of the same cell', () => {
  fc.assert(
    fc.property(arbNumericDomain, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (d, u) => {
      const v = decodeValue(d, u);
      const e = encodeValue(d, v);
      assert.ok(e >= 0 && e <= 1, `encoded ${e}`);
      assert.deepEqual(decodeValue(d, e), v);
    }),
  );
});

const conditional: SearchSpace = searchSpaceSchema.parse({
  optimizer: { type: 'choice', values: ['sgd', 'adam', 'rmsprop'] },
  momentum: { type: 'uniform', low: 0, high: 0.99, when: { param: 'optimizer', in: ['sgd', 'rmsprop'] } },
  nesterov: { type: 'choice', values: [true, false], when: { param: 'momentum', in: [0.5] } },
  useSchedule: { type: 'choice', values: [true, false] },
  decay: { type: 'step', low: 0.1, high: 0.9, step: 0.2, when: { param: 'useSchedule', in: [true] } },
  layers: { type: 'intUniform', low: 1, high: 3 },
  seed: 42,
});

test('conditional parameters appear exactly when their condition holds', () => {
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      const c = sampleConfig(conditional, createRng(seed));
      assert.equal('momentum' in c, c['optimizer'] === 'sgd' || c['optimizer'] === 'rmsprop');
      assert.equal('decay' in c, c['useSchedule'] === true);
      assert.equal('nesterov' in c, c['momentum'] === 0.5);
      assert.equal(c['seed'], 42);
      assert.deepEqual(activeParams(conditional, c).sort(), Object.keys(c).sort());
      for (const [k, v] of Object.entries(c)) assert.ok(inDomain(conditional[k] as Domain, v));
    }),
  );
});

test('parameter order puts every controlling parameter before the ones it controls', () => {
  const order = paramOrder(conditional);
  for (const [name, d] of Object.entries(conditional)) {
    if (d.when) assert.ok(order.indexOf(d.when.param) < order.indexOf(name), name);
  }
});

test('resolving active parameters drops those whose condition fails, transitively', () => {
  const r = resolveActive(conditional, {
    optimizer: 'adam',
    momentum: 0.5,
    nesterov: true,
    useSchedule: false,
    decay: 0.3,
    layers: 2,
    seed: 42,
    bogus: 1,
  });
  assert.deepEqual(r, { layers: 2, optimizer: 'adam', seed: 42, useSchedule: false });
  assert.equal(isActive(conditional, 'nesterov', { optimizer: 'sgd', momentum: 0.5 }), true);
});

function brute(space: SearchSpace): string[] {
  const names = paramOrder(space);
  let partials: Record<string, unknown>[] = [{}];
  for (const name of names) {
    const values = gridValues(name, space[name] as Domain);
    partials = partials.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  return [...new Set(partials.map((p) => configKey('m', resolveActive(space, p as never))))].sort();
}

test('the grid covers the space exactly once, conditional parameters included', () => {
  const space = searchSpaceSchema.parse({
    optimizer: { type: 'choice', values: ['sgd', 'adam', 'rmsprop'] },
    momentum: {
      type: 'uniform',
      low: 0,
      high: 0.9,
      gridPoints: 3,
      when: { param: 'optimizer', in: ['sgd', 'rmsprop'] },
    },
    nesterov: { type: 'choice', values: [true, false], when: { param: 'momentum', in: [0.45] } },
    lr: { type: 'logUniform', low: 1e-3, high: 1e-1, gridPoints: 3 },
    units: { type: 'intLogUniform', low: 8, high: 64, gridPoints: 4 },
    dropout: { type: 'step', low: 0, high: 0.5, step: 0.25 },
  });
  const grid = enumerateGrid(space);
  const keys = grid.map((c) => configKey('m', c));
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual([...keys].sort(), brute(space));
  for (const c of grid) assert.deepEqual(resolveActive(space, c), c);
  assert.equal(grid.length, (1 + 2 * (1 + 2 + 1)) * 3 * 4 * 3);
  assert.equal(
    spaceSize(
      searchSpaceSchema.parse({
        a: { type: 'choice', values: [1, 2] },
        b: { type: 'intLogUniform', low: 1, high: 10, gridPoints: 2 },
      }),
    ),
    20,
  );
});

test('grid enumeration rejects a continuous parameter without gridPoints, naming it', () => {
  const space = searchSpaceSchema.parse({ lr: { type: 'logUniform', low: 1e-4, high: 1 } });
  assert.throws(
    () => enumerateGrid(space),
    /grid: parameter 'lr' is continuous \(logUniform\); give it gridPoints/,
  );
  assert.equal(spaceSize(space), Infinity);
});

test('a joint space over families splits back into the model and its own parameters', () => {
  const j = jointSpace([
    { model: 'mlp', space: conditional },
    { model: 'logreg', space: searchSpaceSchema.parse({ C: { type: 'logUniform', low: 0.01, high: 100 } }) },
  ]);
  fc.assert(
    fc.property(fc.integer(), (seed) => {
      const c = sampleConfig(j.space, createRng(seed));
      const { model, params } = j.split(c);
      if (model === 'logreg') assert.deepEqual(Object.keys(params), ['C']);
      else assert.deepEqual(resolveActive(conditional, params), params);
      assert.deepEqual(j.join(model, params), c);
    }),
  );
  assert.throws(
    () =>
      jointSpace([
        { model: 'a', space: {} },
        { model: 'a', space: {} },
      ]),
    /model 'a' appears twice/,
  );
});

test('configuration keys ignore key order and distinguish models', () => {
  assert.equal(configKey('m', { a: 1, b: [1, 2] }), configKey('m', { b: [1, 2], a: 1 }));
  assert.notEqual(configKey('m', { a: 1 }), configKey('n', { a: 1 }));
});
