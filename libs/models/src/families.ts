import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { familyParamsSchemas, trainingParamsSchema } from '@foldwise/spec';
import type { z } from 'zod';

/** Learning tasks a family can serve. */
export const Task = { Classification: 'classification', Regression: 'regression' } as const;
/** One of `Task`'s values. */
export type Task = (typeof Task)[keyof typeof Task];

/** Optimizers the training loop implements. */
export const OptimizerName = { Adam: 'adam', Sgd: 'sgd', Rmsprop: 'rmsprop' } as const;
/** One of `OptimizerName`'s values. */
export type OptimizerName = (typeof OptimizerName)[keyof typeof OptimizerName];

/** Activations allowed in hidden layers. */
export const Activation = { Relu: 'relu', Tanh: 'tanh', Sigmoid: 'sigmoid', Elu: 'elu' } as const;
/** One of `Activation`'s values. */
export type Activation = (typeof Activation)[keyof typeof Activation];

/** What a family's `build` learns about the data it will be trained on. */
export interface FamilyContext {
  task: Task;
  nFeatures: number;
  inputShape?: number[];
  nClasses: number;
  seed: number;
}

/** A fully-connected stack the fast training loop can train directly (weights stacked per job). */
export interface DenseSpec {
  units: number[];
  activation: Activation;
  dropout: number;
}

/** Training-loop settings shared by every family (read from its params, with defaults). */
export interface TrainingParams {
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
  /** scikit-learn's `alpha`: a batch of n rows adds `l2·W / n` to its mean gradient (kernels only; see `l2Decay`). */
  l2: number;
  batchSize: number;
  epochs: number;
  /** Stop when the loss on `validationFraction` of the training rows (held back from training) stops improving. */
  earlyStopping?: { patience: number; minDelta: number; validationFraction: number };
  /** PyTorch's `weight_decay`: `weightDecay·W` added to each step's gradient of the kernels. */
  weightDecay: number;
  lrSchedule: 'constant' | 'cosine' | 'step';
  lrStepEpochs: number;
  lrStepGamma: number;
  lrWarmupEpochs: number;
}

/**
 * The learning rate of epoch `epoch` (0-based) of `totalEpochs`: a linear warm-up over `lrWarmupEpochs`, then constant,
 * cosine annealing from `learningRate` towards 0 (PyTorch's CosineAnnealingLR stepped per epoch, T_max the epochs after
 * warm-up), or `learningRate · lrStepGamma^⌊e / lrStepEpochs⌋` (StepLR), e counted from the end of the warm-up.
 */
export function learningRateAt(tp: TrainingParams, epoch: number, totalEpochs: number): number {
  const base = tp.learningRate;
  const warm = tp.lrWarmupEpochs;
  if (epoch < warm) return (base * (epoch + 1)) / (warm + 1);
  const e = epoch - warm;
  switch (tp.lrSchedule) {
    case 'cosine': {
      const span = Math.max(1, totalEpochs - warm);
      return base * 0.5 * (1 + Math.cos((Math.PI * Math.min(e, span)) / span));
    }
    case 'step':
      return base * tp.lrStepGamma ** Math.floor(e / tp.lrStepEpochs);
    default:
      return base;
  }
}

/**
 * The factor of the kernels in one step's gradient that makes `l2` scikit-learn's `alpha`: MLPClassifier adds
 * `alpha·W / n` to the mean gradient of a batch of n rows (its loss gains `alpha/(2n)·‖W‖²`), the last, shorter batch
 * included. Regression doubles it, since foldwise's loss is the mean squared error where MLPRegressor's is half of it.
 */
export function l2Decay(l2: number, rows: number, classification: boolean): number {
  return rows > 0 ? ((classification ? 1 : 2) * l2) / rows : 0;
}

/** A model family: a name, a zod schema for its hyperparameters, and a builder. */
export interface ModelFamily<P = Record<string, unknown>> {
  name: string;
  paramsSchema: z.ZodType<P>;
  tasks?: readonly Task[];
  build(params: P, ctx: FamilyContext): tf.LayersModel;
  dense?(params: P, ctx: FamilyContext): DenseSpec;
}

const {
  logistic: logisticSchema,
  linear: linearSchema,
  mlp: mlpSchema,
  cnn: cnnSchema,
  resnet: resnetSchema,
} = familyParamsSchemas;

/** Parsed hyperparameters of the `mlp` family. */
export type MlpParams = z.infer<typeof mlpSchema>;
/** Parsed hyperparameters of the `cnn` family. */
export type CnnParams = z.infer<typeof cnnSchema>;
/** Parsed hyperparameters of the `resnet` family. */
export type ResnetParams = z.infer<typeof resnetSchema>;
/** Parsed hyperparameters of the `logistic` and `linear` families. */
export type LinearParams = z.infer<typeof linearSchema>;

function outputUnits(ctx: FamilyContext): number {
  return ctx.task === 'classification' ? ctx.nClasses : 1;
}

/** A Keras L2 regularizer equal to `l2` (scikit-learn's alpha) on full batches of `batchSize` rows, for exported models. */
function kernelRegularizer(
  l2: number,
  batchSize: number,
  task: Task,
): ReturnType<typeof tf.regularizers.l2> | undefined {
  const coef = l2Decay(l2, batchSize, task === 'classification') / 2;
  return coef > 0 ? tf.regularizers.l2({ l2: coef }) : undefined;
}

function denseModel(
  spec: DenseSpec,
  ctx: FamilyContext,
  tp: { l2: number; batchSize: number },
): tf.LayersModel {
  const model = tf.sequential();
  const reg = kernelRegularizer(tp.l2, tp.batchSize, ctx.task);
  spec.units.forEach((u, i) => {
    const last = i === spec.units.length - 1;
    model.add(
      tf.layers.dense({
        units: u,
        activation: last ? (ctx.task === 'classification' ? 'softmax' : 'linear') : spec.activation,
        ...(i === 0 ? { inputShape: [ctx.nFeatures] } : {}),
        ...(reg ? { kernelRegularizer: reg } : {}),
      }),
    );
    if (!last && spec.dropout > 0) model.add(tf.layers.dropout({ rate: spec.dropout }));
  });
  return model;
}

function mlpDense(p: MlpParams, ctx: FamilyContext): DenseSpec {
  const hidden = p.layers ?? Array.from({ length: p.hiddenLayers }, () => p.units);
  return { units: [...hidden, outputUnits(ctx)], activation: p.activation, dropout: p.dropout };
}

const logistic: ModelFamily<LinearParams> = {
  name: 'logistic',
  paramsSchema: logisticSchema,
  tasks: ['classification'],
  dense: (_p, ctx) => ({ units: [outputUnits(ctx)], activation: 'relu', dropout: 0 }),
  build: (p, ctx) => denseModel({ units: [outputUnits(ctx)], activation: 'relu', dropout: 0 }, ctx, p),
};

const linear: ModelFamily<LinearParams> = {
  name: 'linear',
  paramsSchema: linearSchema,
  tasks: ['regression'],
  dense: () => ({ units: [1], activation: 'relu', dropout: 0 }),
  build: (p, ctx) => denseModel({ units: [1], activation: 'relu', dropout: 0 }, ctx, p),
};

const mlp: ModelFamily<MlpParams> = {
  name: 'mlp',
  paramsSchema: mlpSchema,
  tasks: ['classification', 'regression'],
  dense: mlpDense,
  build: (p, ctx) => denseModel(mlpDense(p, ctx), ctx, p),
};

const cnn: ModelFamily<CnnParams> = {
  name: 'cnn',
  paramsSchema: cnnSchema,
  tasks: ['classification', 'regression'],
  build: (p, ctx) => {
    const shape = imageShapeOf('cnn', ctx);
    const reg = kernelRegularizer(p.l2, p.batchSize, ctx.task);
    const model = tf.sequential();
    model.add(tf.layers.reshape({ targetShape: shape, inputShape: [ctx.nFeatures] }));
    for (const b of p.blocks) {
      model.add(
        tf.layers.conv2d({
          filters: b.filters,
          kernelSize: b.kernelSize,
          padding: 'same',
          activation: b.batchNorm ? 'linear' : p.activation,
          ...(reg ? { kernelRegularizer: reg } : {}),
        }),
      );
      if (b.batchNorm) {
        model.add(tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }));
        model.add(tf.layers.activation({ activation: p.activation }));
      }
      if (b.pooling === 'max') model.add(tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }));
      if (b.pooling === 'avg') model.add(tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }));
      if (b.dropout > 0) model.add(tf.layers.dropout({ rate: b.dropout }));
    }
    model.add(tf.layers.flatten());
    if (p.denseUnits > 0) {
      model.add(
        tf.layers.dense({
          units: p.denseUnits,
          activation: p.activation,
          ...(reg ? { kernelRegularizer: reg } : {}),
        }),
      );
      if (p.dropout > 0) model.add(tf.layers.dropout({ rate: p.dropout }));
    }
    model.add(
      tf.layers.dense({
        units: outputUnits(ctx),
        activation: ctx.task === 'classification' ? 'softmax' : 'linear',
      }),
    );
    return model;
  },
};

/** The image shape of a convolutional family's job, checked against its feature count. */
function imageShapeOf(family: string, ctx: FamilyContext): [number, number, number] {
  const shape = ctx.inputShape;
  if (!shape || shape.length !== 3) {
    throw new Error(`inputShape: ${family} needs [height, width, channels] (got ${JSON.stringify(shape)})`);
  }
  if (shape.reduce((a, b) => a * b, 1) !== ctx.nFeatures) {
    throw new Error(`inputShape: product ${shape.join('×')} differs from nFeatures ${ctx.nFeatures}`);
  }
  return shape as [number, number, number];
}

/**
 * Residual networks in the CIFAR style (He et al. 2016, section 4.2) for small images: a 3 × 3 stem convolution with
 * batch norm and ReLU, `stages` stages of `blocksPerStage` basic blocks (conv–BN–ReLU–conv–BN plus the shortcut, then
 * ReLU) whose width doubles per stage, the first block of each later stage striding by 2 (`downsample`) with a 1 × 1
 * convolution and batch norm on its shortcut where the shape changes, then global average pooling and the output layer.
 * Convolutions have no bias (batch norm follows each).
 */
const resnet: ModelFamily<ResnetParams> = {
  name: 'resnet',
  paramsSchema: resnetSchema,
  tasks: ['classification', 'regression'],
  build: (p, ctx) => {
    const shape = imageShapeOf('resnet', ctx);
    const reg = kernelRegularizer(p.l2, p.batchSize, ctx.task);
    const convBn = (x: tf.SymbolicTensor, filters: number, stride: number, size: number, relu: boolean) => {
      let y = tf.layers
        .conv2d({
          filters,
          kernelSize: size,
          strides: stride,
          padding: 'same',
          useBias: false,
          ...(reg ? { kernelRegularizer: reg } : {}),
        })
        .apply(x) as tf.SymbolicTensor;
      y = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }).apply(y) as tf.SymbolicTensor;
      return relu ? (tf.layers.activation({ activation: 'relu' }).apply(y) as tf.SymbolicTensor) : y;
    };
    const input = tf.input({ shape: [ctx.nFeatures] });
    let h = tf.layers.reshape({ targetShape: shape }).apply(input) as tf.SymbolicTensor;
    h = convBn(h, p.width, 1, 3, true);
    let filters = p.width;
    for (let s = 0; s < p.stages; s++) {
      const f = p.width * 2 ** s;
      for (let b = 0; b < p.blocksPerStage; b++) {
        const stride = p.downsample && s > 0 && b === 0 ? 2 : 1;
        const y = convBn(convBn(h, f, stride, 3, true), f, 1, 3, false);
        const shortcut = stride !== 1 || f !== filters ? convBn(h, f, stride, 1, false) : h;
        h = tf.layers.add().apply([y, shortcut]) as tf.SymbolicTensor;
        h = tf.layers.activation({ activation: 'relu' }).apply(h) as tf.SymbolicTensor;
        filters = f;
      }
    }
    h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    const out = tf.layers
      .dense({ units: outputUnits(ctx), activation: ctx.task === 'classification' ? 'softmax' : 'linear' })
      .apply(h) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  },
};

/** Every registered family by name: the built-ins plus those added by `registerFamily`/`loadFamilyModules`. */
export const familyRegistry = new Map<string, ModelFamily<never>>([
  ['logistic', logistic as ModelFamily<never>],
  ['linear', linear as ModelFamily<never>],
  ['mlp', mlp as ModelFamily<never>],
  ['cnn', cnn as ModelFamily<never>],
  ['resnet', resnet as ModelFamily<never>],
]);

/** Names of the families that ship with foldwise. */
export const builtinFamilies = ['logistic', 'linear', 'mlp', 'cnn', 'resnet'] as const;

/** How a spec names a family a worker registered from a module: `custom:<name>`. */
export const CUSTOM_PREFIX = 'custom:';

/** The family registered under `name` (a spec's `custom:<name>` for a worker's own); throws naming the unknown family and the known ones. */
export function getFamily(name: string): ModelFamily {
  const custom = name.startsWith(CUSTOM_PREFIX) ? name.slice(CUSTOM_PREFIX.length) : undefined;
  if (custom !== undefined && (builtinFamilies as readonly string[]).includes(custom)) {
    throw new Error(`family: "${name}" names a built-in family; write "${custom}"`);
  }
  const f = familyRegistry.get(custom ?? name);
  if (!f)
    throw new Error(
      `family: unknown model family "${name}" (known: ${[...familyRegistry.keys()].map((k) => ((builtinFamilies as readonly string[]).includes(k) ? k : `${CUSTOM_PREFIX}${k}`)).join(', ')})`,
    );
  return f as unknown as ModelFamily;
}

/** The zod schema of a family's hyperparameters (types and defaults), for validating specs. */
export function paramsSchemaFor(name: string): z.ZodType<Record<string, unknown>> {
  return getFamily(name).paramsSchema;
}

/** Validates `params` against the family's schema; throws `params.<field>: <problem>` for every issue. */
export function parseParams(family: string, params: Record<string, unknown>): Record<string, unknown> {
  const r = paramsSchemaFor(family).safeParse(params);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? `.${i.keys.join(',')}` : '';
    const where = ['params', ...i.path.map(String)].join('.') + keys;
    return `${where}: ${i.message}`;
  });
  throw new Error(`${family} ${lines.join('; ')}`);
}

/** The training-loop settings in a family's (already parsed) params, defaults filled in. */
export function trainingParams(params: Record<string, unknown>): TrainingParams {
  const picked = Object.fromEntries(
    Object.keys(trainingParamsSchema.shape).flatMap((k) => (k in params ? [[k, params[k]]] : [])),
  );
  const t = trainingParamsSchema.parse(picked);
  return {
    optimizer: t.optimizer,
    learningRate: t.learningRate,
    momentum: t.momentum,
    l2: t.l2,
    batchSize: t.batchSize,
    epochs: t.epochs,
    ...(t.earlyStopping ? { earlyStopping: t.earlyStopping } : {}),
    weightDecay: t.weightDecay,
    lrSchedule: t.lrSchedule,
    lrStepEpochs: t.lrStepEpochs,
    lrStepGamma: t.lrStepGamma,
    lrWarmupEpochs: t.lrWarmupEpochs,
  };
}

/** Registers a family (replacing none: a taken name throws). */
export function registerFamily(family: ModelFamily<never>): void {
  if (familyRegistry.has(family.name)) throw new Error(`family.name: "${family.name}" is already registered`);
  familyRegistry.set(family.name, family);
}

function isFamily(m: unknown): m is ModelFamily<never> {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return (
    typeof r.name === 'string' &&
    typeof r.build === 'function' &&
    typeof (r.paramsSchema as { safeParse?: unknown })?.safeParse === 'function'
  );
}

/** Loads user families from modules named in the worker's configuration (never from a spec); returns their names. */
export function loadFamilyModules(paths: string[]): string[] {
  const names: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    const mod = createRequire(__filename)(abs) as Record<string, unknown>;
    const candidates = [mod.default, mod.family, mod];
    const fam = candidates.find(isFamily);
    if (!fam) {
      throw new Error(
        `familyModules: ${abs} must export { name, paramsSchema, build(params, ctx) } (as default, "family", or the module itself)`,
      );
    }
    if (familyRegistry.get(fam.name) !== fam) registerFamily(fam);
    names.push(fam.name);
  }
  return names;
}
