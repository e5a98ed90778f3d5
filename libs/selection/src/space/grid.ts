/** Grid enumeration of a search space, conditional parameters included (each configuration exactly once). */
import type { Domain, JsonValue, SearchSpace } from '@foldwise/spec';
import { isActive, paramOrder, stepCount, tidy, type Params } from './space';

/** Largest grid `enumerateGrid` materialises by default. */
export const GRID_LIMIT = 100_000;

/** The grid values of one parameter; continuous domains need `gridPoints`. */
export function gridValues(name: string, d: Domain, limit = GRID_LIMIT): JsonValue[] {
  const tooMany = (n: number): Error =>
    new Error(
      `grid: parameter '${name}' has ${n} values, more than the limit of ${limit}; give it gridPoints or use another strategy`,
    );
  switch (d.type) {
    case 'choice':
      return [...d.values];
    case 'const':
      return [d.value];
    case 'uniform':
    case 'logUniform': {
      const g = d.gridPoints;
      if (g === undefined) {
        throw new Error(
          `grid: parameter '${name}' is continuous (${d.type}); give it gridPoints or use another strategy`,
        );
      }
      if (g > limit) throw tooMany(g);
      return Array.from({ length: g }, (_, i) => {
        const t = i / (g - 1);
        if (d.type === 'uniform') return tidy(d.low + t * (d.high - d.low));
        return tidy(Math.exp(Math.log(d.low) + t * (Math.log(d.high) - Math.log(d.low))));
      });
    }
    case 'intUniform': {
      const n = d.high - d.low + 1;
      if (n > limit) throw tooMany(n);
      return Array.from({ length: n }, (_, i) => d.low + i);
    }
    case 'intLogUniform': {
      const g = d.gridPoints;
      if (g === undefined) {
        const n = d.high - d.low + 1;
        if (n > limit) throw tooMany(n);
        return Array.from({ length: n }, (_, i) => d.low + i);
      }
      const seen = new Set<number>();
      for (let i = 0; i < g; i++) {
        const t = i / (g - 1);
        seen.add(
          Math.min(
            d.high,
            Math.max(d.low, Math.round(Math.exp(Math.log(d.low) + t * (Math.log(d.high) - Math.log(d.low))))),
          ),
        );
      }
      return [...seen];
    }
    case 'step': {
      const n = stepCount(d);
      if (n > limit) throw tooMany(n);
      return Array.from({ length: n }, (_, i) => tidy(d.low + i * d.step));
    }
  }
}

/** Every configuration of the grid, in lexicographic order of `paramOrder`; throws past `limit` configurations. */
export function enumerateGrid(space: SearchSpace, limit = GRID_LIMIT): Params[] {
  const order = paramOrder(space);
  const values = new Map(order.map((n) => [n, gridValues(n, space[n] as Domain, limit)]));
  const out: Params[] = [];
  const walk = (i: number, partial: Params): void => {
    if (i === order.length) {
      if (out.length >= limit) throw new Error(`grid: the space has more than ${limit} configurations`);
      out.push({ ...partial });
      return;
    }
    const name = order[i] as string;
    if (!isActive(space, name, partial)) {
      walk(i + 1, partial);
      return;
    }
    for (const v of values.get(name) as JsonValue[]) {
      partial[name] = v;
      walk(i + 1, partial);
    }
    delete partial[name];
  };
  walk(0, {});
  return out;
}

/** Number of distinct configurations a sampler can draw (gridPoints ignored), or `Infinity` when a continuous domain exists or the count passes `limit`. */
export function spaceSize(space: SearchSpace, limit = GRID_LIMIT): number {
  if (Object.values(space).some((d) => d.type === 'uniform' || d.type === 'logUniform')) return Infinity;
  const full: SearchSpace = Object.fromEntries(
    Object.entries(space).map(([n, d]) => [
      n,
      d.type === 'intLogUniform' ? { ...d, gridPoints: undefined } : d,
    ]),
  );
  try {
    return enumerateGrid(full, limit).length;
  } catch {
    return Infinity;
  }
}
