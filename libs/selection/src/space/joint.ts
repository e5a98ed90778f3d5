/**
 * The joint space of a search over several model families: the family is a top-level categorical
 * (`__family__`, the family's index) and each family's parameters are namespaced and conditional on it.
 */
import type { Domain, JsonValue, SearchSpace } from '@foldwise/spec';
import type { Params } from './space';

/** A model family and its hyperparameter space. */
export interface Family {
  model: string;
  space: SearchSpace;
}

/** Name of the family parameter in a joint space. */
export const FAMILY_PARAM = '__family__';

/** A joint space with the maps between its configurations and (model, params) pairs. */
export interface JointSpace {
  readonly space: SearchSpace;
  readonly families: readonly Family[];
  /** Splits a joint configuration into its model and that model's parameters. */
  split(joint: Params): { model: string; params: Params };
  /** Builds the joint configuration of a model's parameters. */
  join(model: string, params: Params): Params;
}

function prefix(i: number): string {
  return `f${String(i).padStart(4, '0')}.`;
}

/** Builds the joint space of `families` (model names must be distinct). */
export function jointSpace(families: readonly Family[]): JointSpace {
  if (families.length === 0) throw new Error('families: at least one model family is required');
  const seen = new Set<string>();
  for (const f of families) {
    if (seen.has(f.model)) throw new Error(`families: model '${f.model}' appears twice`);
    seen.add(f.model);
  }
  const space: SearchSpace = {
    [FAMILY_PARAM]:
      families.length > 1
        ? { type: 'choice', values: families.map((_, i) => i) }
        : { type: 'const', value: 0 },
  };
  families.forEach((f, i) => {
    for (const [name, d] of Object.entries(f.space)) {
      const when = d.when
        ? { param: prefix(i) + d.when.param, in: d.when.in }
        : { param: FAMILY_PARAM, in: [i] };
      space[prefix(i) + name] = { ...d, when } as Domain;
    }
  });
  return {
    space,
    families,
    split(joint) {
      const i = joint[FAMILY_PARAM];
      const family = typeof i === 'number' ? families[i] : undefined;
      if (!family) throw new Error(`joint configuration: ${FAMILY_PARAM} is missing or out of range`);
      const p = prefix(i as number);
      const params: Params = {};
      for (const [k, v] of Object.entries(joint)) if (k.startsWith(p)) params[k.slice(p.length)] = v;
      return { model: family.model, params };
    },
    join(model, params) {
      const i = families.findIndex((f) => f.model === model);
      if (i < 0) throw new Error(`model: '${model}' is not one of the searched families`);
      const joint: Params = { [FAMILY_PARAM]: i };
      for (const [k, v] of Object.entries(params)) joint[prefix(i) + k] = v as JsonValue;
      return joint;
    },
  };
}
