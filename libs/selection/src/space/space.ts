/**
 * Search-space utilities: parameter order, active-parameter resolution for conditional parameters,
 * inverse-CDF sampling from the unit interval, encoding to the unit hypercube, and configuration keys.
 * Pure and deterministic: randomness only through a seeded `Rng`.
 */
import type { Domain, JsonValue, SearchSpace } from '@foldwise/spec';
import { canonicalJson, stableHash } from '../hash';
import type { Rng } from '../prng';

/** A configuration: the values of the active parameters only (inactive ones are absent). */
export type Params = Record<string, JsonValue>;

/** Whether two JSON values are equal (key order ignored). */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Parameters in dependency order (a condition's parameter before the parameters it controls), ties by name. */
export function paramOrder(space: SearchSpace): string[] {
  const names = Object.keys(space).sort();
  const placed = new Set<string>();
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find((n) => {
      if (placed.has(n)) return false;
      const parent = space[n]?.when?.param;
      return parent === undefined || placed.has(parent) || space[parent] === undefined;
    });
    if (next === undefined) throw new Error('space: conditions form a cycle');
    placed.add(next);
    order.push(next);
  }
  return order;
}

/** Whether parameter `name` is active given the values chosen so far (its condition, transitively). */
export function isActive(space: SearchSpace, name: string, params: Params): boolean {
  const cond = space[name]?.when;
  if (!cond) return space[name] !== undefined;
  if (!(cond.param in params)) return false;
  const value = params[cond.param] as JsonValue;
  return cond.in.some((v) => jsonEquals(v, value));
}

/** Names of the parameters active in a configuration, in dependency order. */
export function activeParams(space: SearchSpace, params: Params): string[] {
  const chosen: Params = {};
  const active: string[] = [];
  for (const name of paramOrder(space)) {
    if (!isActive(space, name, chosen)) continue;
    active.push(name);
    if (name in params) chosen[name] = params[name] as JsonValue;
  }
  return active;
}

/** Drops parameters whose condition does not hold (and unknown ones), keeping the rest. */
export function resolveActive(space: SearchSpace, params: Params): Params {
  const out: Params = {};
  for (const name of paramOrder(space)) {
    if (isActive(space, name, out) && name in params) out[name] = params[name] as JsonValue;
  }
  return out;
}

/** Rounds away binary noise (e.g. 0.1 + 0.2) from a quantised value. */
export function tidy(x: number): number {
  return Number(x.toPrecision(12));
}

/** Number of values of a `step` domain. */
export function stepCount(d: { low: number; high: number; step: number }): number {
  return Math.floor((d.high - d.low) / d.step + 1e-9) + 1;
}

/** Whether a domain has infinitely many values. */
export function isContinuous(d: Domain): boolean {
  return d.type === 'uniform' || d.type === 'logUniform';
}

/** Whether a value lies in a domain (respecting bounds, integrality, steps and choices). */
export function inDomain(d: Domain, v: JsonValue): boolean {
  switch (d.type) {
    case 'choice':
      return d.values.some((c) => jsonEquals(c, v));
    case 'const':
      return jsonEquals(d.value, v);
    case 'uniform':
    case 'logUniform':
      return typeof v === 'number' && v >= d.low && v <= d.high;
    case 'intUniform':
    case 'intLogUniform':
      return typeof v === 'number' && Number.isInteger(v) && v >= d.low && v <= d.high;
    case 'step': {
      if (typeof v !== 'number') return false;
      const k = Math.round((v - d.low) / d.step);
      return k >= 0 && k < stepCount(d) && tidy(d.low + k * d.step) === v;
    }
  }
}

function clampUnit(u: number): number {
  return u < 0 ? 0 : u >= 1 ? 1 - 2 ** -53 : u;
}

/** Maps u ∈ [0, 1) to a value of the domain by its inverse CDF (log scales, rounding and steps applied). */
export function decodeValue(d: Domain, u: number): JsonValue {
  const x = clampUnit(u);
  switch (d.type) {
    case 'choice':
      return d.values[Math.min(d.values.length - 1, Math.floor(x * d.values.length))] as JsonValue;
    case 'const':
      return d.value;
    case 'uniform':
      return Math.min(d.high, d.low + x * (d.high - d.low));
    case 'logUniform':
      return Math.min(
        d.high,
        Math.max(d.low, Math.exp(Math.log(d.low) + x * (Math.log(d.high) - Math.log(d.low)))),
      );
    case 'intUniform':
      return Math.min(d.high, d.low + Math.floor(x * (d.high - d.low + 1)));
    case 'intLogUniform': {
      const lo = Math.log(d.low - 0.5);
      const hi = Math.log(d.high + 0.5);
      return Math.min(d.high, Math.max(d.low, Math.round(Math.exp(lo + x * (hi - lo)))));
    }
    case 'step': {
      const n = stepCount(d);
      return tidy(d.low + Math.min(n - 1, Math.floor(x * n)) * d.step);
    }
  }
}

/** Maps a domain value to [0, 1] (the centre of its cell for discrete domains); the inverse of `decodeValue`. */
export function encodeValue(d: Domain, v: JsonValue): number {
  switch (d.type) {
    case 'choice': {
      const i = d.values.findIndex((c) => jsonEquals(c, v));
      if (i < 0) throw new Error(`encode: ${canonicalJson(v)} is not one of the choices`);
      return (i + 0.5) / d.values.length;
    }
    case 'const':
      return 0.5;
    case 'uniform':
      return (num(v) - d.low) / (d.high - d.low);
    case 'logUniform':
      return (Math.log(num(v)) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low));
    case 'intUniform':
      return (num(v) - d.low + 0.5) / (d.high - d.low + 1);
    case 'intLogUniform': {
      const lo = Math.log(d.low - 0.5);
      const hi = Math.log(d.high + 0.5);
      const x = num(v);
      return ((Math.log(x - 0.5) + Math.log(x + 0.5)) / 2 - lo) / (hi - lo);
    }
    case 'step':
      return (Math.round((num(v) - d.low) / d.step) + 0.5) / stepCount(d);
  }
}

function num(v: JsonValue): number {
  if (typeof v !== 'number') throw new Error(`encode: expected a number (got ${canonicalJson(v)})`);
  return v;
}

/** Samples one value of a domain uniformly on its (log-)scale. */
export function sampleDomain(d: Domain, rng: Rng): JsonValue {
  return d.type === 'const' ? d.value : decodeValue(d, rng.next());
}

/** Samples a configuration: each active parameter in dependency order, inactive ones left out. */
export function sampleConfig(space: SearchSpace, rng: Rng): Params {
  const out: Params = {};
  for (const name of paramOrder(space)) {
    const d = space[name] as Domain;
    if (isActive(space, name, out)) out[name] = sampleDomain(d, rng);
  }
  return out;
}

/** Encodes a configuration to the unit hypercube, one coordinate per parameter of `order` (0.5 where inactive). */
export function encodeConfig(
  space: SearchSpace,
  params: Params,
  order: readonly string[] = paramOrder(space),
): number[] {
  return order.map((name) =>
    name in params ? encodeValue(space[name] as Domain, params[name] as JsonValue) : 0.5,
  );
}

/** Decodes a point of the unit hypercube (one coordinate per parameter of `order`) to a configuration. */
export function decodeConfig(
  space: SearchSpace,
  point: readonly number[],
  order: readonly string[] = paramOrder(space),
): Params {
  const out: Params = {};
  const at = new Map(order.map((n, i) => [n, i]));
  for (const name of paramOrder(space)) {
    if (!isActive(space, name, out)) continue;
    const i = at.get(name);
    out[name] = decodeValue(space[name] as Domain, i === undefined ? 0.5 : (point[i] ?? 0.5));
  }
  return out;
}

/** Key of a configuration for duplicate detection: equal model and parameter values give equal keys. */
export function configKey(model: string, params: Params): string {
  return stableHash({ model, params });
}
