import { z } from 'zod';
import type { BuiltinFamily, FamilyParamsInput } from './families';
import {
  racingSpecSchema,
  schedulerSpecSchema,
  searchSpaceSchema,
  strategySpecSchema,
  type DomainInput,
} from './space';

/** Built-in datasets shipped with foldwise (Fashion-MNIST comes from Debian's `dataset-fashion-mnist`). */
export const BuiltinDataset = {
  Iris: 'iris',
  Wine: 'wine',
  BreastCancer: 'breast-cancer',
  Digits: 'digits',
  Diabetes: 'diabetes',
  FashionMnist: 'fashion-mnist',
} as const;
/** A built-in dataset name. */
export type BuiltinDataset = (typeof BuiltinDataset)[keyof typeof BuiltinDataset];

/** Model families that every worker knows; workers may register more as `custom:<name>`. */
export const ModelFamily = {
  Logistic: 'logistic',
  Linear: 'linear',
  Mlp: 'mlp',
  Cnn: 'cnn',
  Resnet: 'resnet',
} as const;
/** A built-in model family name. */
export type ModelFamily = (typeof ModelFamily)[keyof typeof ModelFamily];

/** Resource pools, one Temporal task queue each. */
export const ResourcePool = { Cpu: 'cpu', Gpu: 'gpu' } as const;
/** A resource pool name. */
export type ResourcePool = (typeof ResourcePool)[keyof typeof ResourcePool];

/** Limits a deployment enforces on specs; `validateSearchSpec` accepts tighter ones. */
export interface SpecLimits {
  /** Most trials one search may request. */
  maxTrials: number;
  /** Most folds (k × repeats) one search may request. */
  maxFolds: number;
  /** Most trials in flight at once. */
  maxParallelism: number;
  /** Most epochs any model may train. */
  maxEpochs: number;
}

/** The defaults: generous, but far from anything that could exhaust a cluster by typo. */
export const defaultSpecLimits: SpecLimits = {
  maxTrials: 10_000,
  maxFolds: 100,
  maxParallelism: 256,
  maxEpochs: 10_000,
};

const finite = (what: string) => z.number({ error: `${what} must be a finite number` }).finite();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest (64 lowercase hex digits)');
const columnName = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

const datasetCommon = {
  format: z.enum(['csv', 'jsonl']).default('csv'),
  target: columnName,
  featureTypes: z.record(columnName, z.enum(['numeric', 'categorical'])).optional(),
  missing: z.enum(['reject', 'drop-rows', 'mean', 'most-frequent']).default('reject'),
  /** Column of group ids (patients, users, sessions…) for the group cv kinds; never used as a feature. */
  groups: columnName.optional(),
};

/** Where the data comes from: a built-in, a staged upload (by sha256), or a local file the SDK stages. */
export const datasetSpecSchema = z.union([
  z.strictObject({
    builtin: z.enum(Object.values(BuiltinDataset) as [BuiltinDataset, ...BuiltinDataset[]]),
    subset: z.int().min(10, 'subset must be at least 10 samples').optional(),
  }),
  z.strictObject({ sha256, filename: z.string().max(256).optional(), ...datasetCommon }),
  z.strictObject({ path: z.string().min(1).max(4096), ...datasetCommon }),
]);
/** A dataset reference as written in a spec. */
export type DatasetSpec = z.infer<typeof datasetSpecSchema>;

/** Kinds whose folds can be repeated on demand (`repeats: { auto: true, max }`). */
const autoRepeatKinds = new Set(['kfold', 'stratified', 'repeated-kfold', 'repeated-stratified']);

/** Cross-validation scheme; folds depend only on (dataset hash, cv, seed). */
export const cvSpecSchema = z
  .strictObject({
    kind: z
      .enum([
        'kfold',
        'stratified',
        'repeated-kfold',
        'repeated-stratified',
        'shuffle-split',
        'group',
        'stratified-group',
        'time-series',
      ])
      .default('stratified'),
    k: z.int().min(2, 'k must be at least 2').max(1000).default(5),
    /**
     * Repeats of the k folds: a number (repeated-* kinds), or `{ auto: true, max }`: every configuration runs one
     * k-fold repeat, and after the search only the top candidates the tests cannot separate get further repeats (new
     * shuffles), one at a time, until the verdict is decided or `max` repeats are spent.
     */
    repeats: z
      .union([
        z.int().min(1).max(100),
        z.strictObject({
          auto: z.literal(true, 'auto must be true (give a number of repeats otherwise)'),
          max: z.int().min(2, 'max must be at least 2 repeats').max(100, 'max must be at most 100 repeats'),
        }),
      ])
      .default(1),
    shuffle: z.boolean().default(true),
    testSize: finite('testSize').gt(0).lt(1).optional(),
    /** time-series: samples left out between each training block and its test block. */
    gap: z.int().min(0).optional(),
    /** time-series: keep only the latest this many training samples. */
    maxTrainSize: z.int().min(1).optional(),
    holdout: finite('holdout')
      .gt(0, 'holdout must be > 0')
      .max(0.5, 'holdout must be at most 0.5')
      .optional(),
  })
  .superRefine((cv, ctx) => {
    if (cv.kind === 'shuffle-split' && cv.testSize === undefined) {
      ctx.addIssue({ code: 'custom', path: ['testSize'], message: 'shuffle-split needs testSize in (0, 1)' });
    }
    if (cv.testSize !== undefined && cv.kind !== 'shuffle-split' && cv.kind !== 'time-series') {
      ctx.addIssue({
        code: 'custom',
        path: ['testSize'],
        message: `testSize applies only to shuffle-split and time-series (got kind ${cv.kind})`,
      });
    }
    for (const key of ['gap', 'maxTrainSize'] as const) {
      if (cv[key] !== undefined && cv.kind !== 'time-series') {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} applies only to time-series (got kind ${cv.kind})`,
        });
      }
    }
    if (typeof cv.repeats === 'object') {
      if (!autoRepeatKinds.has(cv.kind)) {
        ctx.addIssue({
          code: 'custom',
          path: ['repeats'],
          message: `repeats { auto } applies only to kfold, stratified and repeated-* kinds (got kind ${cv.kind})`,
        });
      } else if (!cv.shuffle) {
        ctx.addIssue({
          code: 'custom',
          path: ['repeats'],
          message: 'repeats { auto } needs shuffle: true (each repeat is a new shuffle of the k folds)',
        });
      }
    } else if (!cv.kind.startsWith('repeated') && cv.repeats !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['repeats'],
        message: `repeats applies only to repeated-* kinds (got kind ${cv.kind})`,
      });
    }
  });
/** A cross-validation scheme as written in a spec. */
export type CvSpec = z.infer<typeof cvSpecSchema>;

/** The most repeats of a `repeats: { auto: true, max }` scheme, or undefined for a fixed number of repeats. */
export function autoRepeatsMax(cv: Pick<CvSpec, 'repeats'>): number | undefined {
  return typeof cv.repeats === 'object' ? cv.repeats.max : undefined;
}

/** Folds a scheme may plan in all: k × repeats for repeated kinds, k × max for repeats on demand, else k. */
export function plannedFolds(cv: Pick<CvSpec, 'kind' | 'k' | 'repeats'>): number {
  if (typeof cv.repeats === 'object') return cv.k * cv.repeats.max;
  return cv.kind.startsWith('repeated') ? cv.k * cv.repeats : cv.k;
}

const metricName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be a scorer name such as accuracy, f1_macro or neg_log_loss');

/** Metrics: one primary to optimise, others reported. */
export const metricsSpecSchema = z.strictObject({
  primary: metricName,
  report: z.array(metricName).max(32).default([]),
});

const familyName = z
  .string()
  .refine(
    (v) => (Object.values(ModelFamily) as string[]).includes(v) || /^custom:[a-z][a-z0-9-]{0,63}$/.test(v),
    {
      error: (iss) =>
        `unknown model family '${String(iss.input).slice(0, 80)}' (known: ${Object.values(ModelFamily).join(', ')}, or custom:<name> registered on the workers)`,
    },
  );

/** One model family with fixed parameters, a search space and preprocessing. */
export const modelSpecSchema = z.strictObject({
  family: familyName,
  params: z.record(z.string().max(64), z.unknown()).default({}),
  space: searchSpaceSchema.prefault({}),
  preprocess: z.strictObject({ scale: z.enum(['standard', 'minmax', 'none', 'image']) }).optional(),
});
/** A model family entry of a spec. */
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/**
 * One objective of a multi-objective search: a scorer name or a cost metric (`predict_ms_per_1k`, `param_count`,
 * `train_seconds`), optimised in `direction` (default: the metric's own, e.g. maximize accuracy, minimize a cost).
 */
export const objectiveSpecSchema = z.strictObject({
  metric: metricName,
  direction: z.enum(['maximize', 'minimize']).optional(),
});
/** An objective as written in a spec. */
export type ObjectiveSpec = z.infer<typeof objectiveSpecSchema>;

/** A constraint on a configuration's mean of a metric over its folds: at most `max`, at least `min`, or both. */
export const constraintSpecSchema = z
  .strictObject({ metric: metricName, max: finite('max').optional(), min: finite('min').optional() })
  .superRefine((c, ctx) => {
    if (c.max === undefined && c.min === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `constraint on ${c.metric} needs max, min or both`,
      });
    if (c.max !== undefined && c.min !== undefined && c.min > c.max)
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `min must be <= max (got ${c.min} > ${c.max})`,
      });
  });
/** A constraint as written in a spec. */
export type ConstraintSpec = z.infer<typeof constraintSpecSchema>;

/** Comparison of the best configurations at the end of a search. */
export const comparisonSpecSchema = z.strictObject({
  topK: z.int().min(2).max(50).default(5),
  tests: z
    .array(z.enum(['corrected-t', 'wilcoxon', 'friedman', 'bayesian']))
    .min(1)
    .default(['corrected-t', 'wilcoxon', 'friedman', 'bayesian']),
  alpha: finite('alpha').gt(0).lt(1).default(0.05),
  rope: finite('rope').min(0).default(0.01),
});

/**
 * Trials and parallelism. `minPerFamily`: trials every listed model family gets before the strategy chooses families
 * freely (they are proposed first, round robin); by default at least 2, or an even share of TPE's startup trials when
 * that is more, capped at an even share of the budget.
 */
export const budgetSpecSchema = z.strictObject({
  trials: z.int().min(1, 'trials must be at least 1'),
  parallelism: z.int().min(1).default(4),
  minPerFamily: z.int().min(0).optional(),
});

/** The full search spec that users submit (YAML or JSON). */
export const searchSpecSchema = z.strictObject({
  name: z
    .string()
    .min(1, 'name must not be empty')
    .max(64, 'name must be at most 64 characters')
    .regex(
      /^[a-z0-9][a-z0-9-]*$/,
      'name may contain lowercase letters, digits and dashes, starting with a letter or digit',
    ),
  description: z.string().max(2000).optional(),
  dataset: datasetSpecSchema,
  task: z.enum(['classification', 'regression']).optional(),
  cv: cvSpecSchema.prefault({}),
  metrics: metricsSpecSchema,
  models: z.array(modelSpecSchema).min(1, 'at least one model family is required').max(32),
  strategy: strategySpecSchema.prefault({ kind: 'random' }),
  budget: budgetSpecSchema,
  seed: z
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  scheduler: schedulerSpecSchema.prefault({ kind: 'none' }),
  racing: racingSpecSchema.prefault({ enabled: false }),
  comparison: comparisonSpecSchema.prefault({}),
  /**
   * Two or more objectives make the search multi-objective: TPE proposes as Optuna's MOTPE does, and the result carries
   * the Pareto front of the complete, feasible configurations (`pareto`). `metrics.primary` still ranks the leaderboard
   * and picks the configuration that is refit.
   */
  objectives: z.array(objectiveSpecSchema).min(2, 'list at least two objectives').max(4).optional(),
  /** Configurations whose fold mean breaks a constraint are infeasible: never the winner, never on the front. */
  constraints: z.array(constraintSpecSchema).min(1).max(8).optional(),
  refit: z.boolean().default(true),
  pool: z.enum(['cpu', 'gpu']).default('cpu'),
});
/** A search spec after defaults are applied. */
export type SearchSpec = z.infer<typeof searchSpecSchema>;

/** A model family name as a spec writes it: a built-in, or `custom:<name>` registered on the workers. */
export type FamilyName = ModelFamily | `custom:${string}`;

type ModelEntryInput = z.input<typeof modelSpecSchema>;

/** One model entry as a spec writes it: a built-in family's `params` and `space` name only its hyperparameters. */
export type ModelSpecInput =
  | {
      [F in BuiltinFamily]: Omit<ModelEntryInput, 'family' | 'params' | 'space'> & {
        family: F;
        params?: FamilyParamsInput<F>;
        space?: { [K in keyof FamilyParamsInput<F>]?: DomainInput };
      };
    }[BuiltinFamily]
  | (Omit<ModelEntryInput, 'family'> & { family: `custom:${string}` });

/**
 * A search spec as a user writes it, before defaults: what `FoldwiseClient.submit` and `defineSearch` take, so an editor
 * completes every field and a built-in family's hyperparameter names, and a misspelling does not type-check.
 */
export type SearchSpecInput = Omit<z.input<typeof searchSpecSchema>, 'models'> & { models: ModelSpecInput[] };

/** One problem in a spec, with the path of the offending field. */
export interface SpecIssue {
  /** Dotted path with indices, e.g. `models[1].space.lr`. */
  path: string;
  /** Machine-readable code (zod's, or `limit` / `custom`). */
  code: string;
  /** What is wrong, for people. */
  message: string;
}

/** Result of validating a spec: data on success, every issue otherwise. */
export type SpecResult = { success: true; data: SearchSpec } | { success: false; issues: SpecIssue[] };

/** Renders a zod path as `models[1].space.lr`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(spec)' : out;
}

/** Renders issues one per line: `path: message`. */
export function formatIssues(issues: readonly SpecIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('\n');
}

/** Thrown by `parseSearchSpec` for an invalid spec; carries every issue. */
export class InvalidSpecError extends Error {
  /** Every problem found. */
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[]) {
    super(`invalid search spec:\n${formatIssues(issues)}`);
    this.name = 'InvalidSpecError';
    this.issues = issues;
  }
}

function limitIssues(spec: SearchSpec, limits: SpecLimits): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, code: 'limit', message });
  if (spec.budget.trials > limits.maxTrials)
    add('budget.trials', `at most ${limits.maxTrials} trials allowed (got ${spec.budget.trials})`);
  if (spec.budget.parallelism > limits.maxParallelism) {
    add('budget.parallelism', `at most ${limits.maxParallelism} allowed (got ${spec.budget.parallelism})`);
  }
  const folds = plannedFolds(spec.cv);
  if (folds > limits.maxFolds) add('cv.k', `at most ${limits.maxFolds} folds allowed in all (got ${folds})`);
  spec.models.forEach((m, i) => {
    const epochs = m.params['epochs'];
    if (typeof epochs === 'number' && epochs > limits.maxEpochs) {
      add(`models[${i}].params.epochs`, `at most ${limits.maxEpochs} epochs allowed (got ${epochs})`);
    }
    const space = m.space as Record<string, unknown>;
    const dom = space['epochs'] as { high?: unknown } | undefined;
    if (dom && typeof dom === 'object' && typeof dom.high === 'number' && dom.high > limits.maxEpochs) {
      add(`models[${i}].space.epochs`, `at most ${limits.maxEpochs} epochs allowed (got up to ${dom.high})`);
    }
  });
  const ds = spec.dataset;
  if ('builtin' in ds && ds.builtin === 'fashion-mnist' && spec.task === 'regression') {
    add('task', 'fashion-mnist is a classification dataset');
  }
  return issues;
}

/** Problems that involve two parts of a spec: group cv kinds need a groups column, and time-series data is not shuffled. */
function crossFieldIssues(spec: SearchSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const ds = spec.dataset;
  const grouped = spec.cv.kind === 'group' || spec.cv.kind === 'stratified-group';
  if (grouped && !('groups' in ds && ds.groups !== undefined)) {
    issues.push({
      path: 'cv.kind',
      code: 'custom',
      message: `${spec.cv.kind} needs dataset.groups, the column of group ids in your data file${'builtin' in ds ? ' (built-in datasets have none)' : ''}`,
    });
  }
  const objectives = spec.objectives ?? [];
  const seenObjectives = new Set<string>();
  objectives.forEach((o, i) => {
    if (seenObjectives.has(o.metric))
      issues.push({
        path: `objectives[${i}].metric`,
        code: 'custom',
        message: `${o.metric} is listed twice`,
      });
    seenObjectives.add(o.metric);
  });
  const floor = spec.budget.minPerFamily;
  if (floor !== undefined && spec.models.length > 1 && floor * spec.models.length > spec.budget.trials) {
    issues.push({
      path: 'budget.minPerFamily',
      code: 'custom',
      message: `${floor} trials for each of ${spec.models.length} families need ${floor * spec.models.length} trials (budget.trials is ${spec.budget.trials})`,
    });
  }
  if ('target' in ds && ds.groups !== undefined && ds.groups === ds.target) {
    issues.push({
      path: 'dataset.groups',
      code: 'custom',
      message: `names the target column '${ds.target}'`,
    });
  }
  return issues;
}

function expandDatasetUnion(issue: z.core.$ZodIssue, input: unknown): SpecIssue[] {
  const plain = { path: formatPath(issue.path), code: issue.code, message: issue.message };
  if (issue.code !== 'invalid_union' || issue.path.length !== 1 || issue.path[0] !== 'dataset')
    return [plain];
  const ds = (input as { dataset?: unknown } | null)?.dataset;
  if (ds === null || typeof ds !== 'object') {
    return [{ ...plain, message: 'must be { builtin }, { sha256, target } or { path, target }' }];
  }
  const branch = 'builtin' in ds ? 0 : 'sha256' in ds ? 1 : 'path' in ds ? 2 : -1;
  const inner = branch >= 0 ? issue.errors[branch] : undefined;
  if (!inner || inner.length === 0) {
    return [
      { ...plain, message: 'must have one of builtin, sha256 or path (with target for sha256 and path)' },
    ];
  }
  return inner.map((i) => ({ path: formatPath(['dataset', ...i.path]), code: i.code, message: i.message }));
}

/** Validates a spec and applies defaults; never throws on bad input. */
export function validateSearchSpec(input: unknown, limits: Partial<SpecLimits> = {}): SpecResult {
  const parsed = searchSpecSchema.safeParse(input);
  if (!parsed.success) {
    return {
      success: false,
      issues: parsed.error.issues.flatMap((i) => expandDatasetUnion(i, input)),
    };
  }
  const issues = [
    ...limitIssues(parsed.data, { ...defaultSpecLimits, ...limits }),
    ...crossFieldIssues(parsed.data),
  ];
  return issues.length > 0 ? { success: false, issues } : { success: true, data: parsed.data };
}

/** Validates a spec and applies defaults; throws `InvalidSpecError` listing every issue. */
export function parseSearchSpec(input: unknown, limits: Partial<SpecLimits> = {}): SearchSpec {
  const r = validateSearchSpec(input, limits);
  if (!r.success) throw new InvalidSpecError(r.issues);
  return r.data;
}

/** JSON Schema of the spec for editors (draft 2020-12), generated from the zod schema. */
export function searchSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(searchSpecSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
