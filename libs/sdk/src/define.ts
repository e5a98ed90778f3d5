import type { SearchSpecInput } from '@foldwise/spec';

/**
 * Returns the spec it is given, typed: an editor completes every field and each built-in family's hyperparameters,
 * and the compiler rejects a misspelled one. Values are checked when the spec is submitted.
 *
 * @example
 * const spec = defineSearch({
 *   name: 'iris-mlp',
 *   dataset: { builtin: 'iris' },
 *   metrics: { primary: 'accuracy' },
 *   models: [{ family: 'mlp', space: { units: { type: 'choice', values: [8, 16, 32] } } }],
 *   budget: { trials: 6 },
 * });
 */
export function defineSearch(spec: SearchSpecInput): SearchSpecInput {
  return spec;
}
