import { z } from 'zod';

const earlyStoppingSchema = z
  .object({
    patience: z.number().int().min(1).default(5),
    minDelta: z.number().min(0).default(0),
    /**
     * Share of the training rows held back (stratified for classification, seeded) to decide when to stop, as
     * scikit-learn's `validation_fraction`: the fold's own validation rows never influence its training.
     */
    validationFraction: z.number().gt(0).max(0.5).default(0.1),
  })
  .strict();

const trainingShape = {
  optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
  learningRate: z.number().positive().default(0.001),
  momentum: z.number().min(0).max(1).default(0.9),
  l2: z.number().min(0).default(0),
  batchSize: z.number().int().min(1).default(32),
  epochs: z.number().int().min(1).default(50),
  earlyStopping: earlyStoppingSchema.optional(),
  /**
   * Weight decay as PyTorch's optimizers apply it (`weight_decay`: `weightDecay·W` added to the gradient of the
   * kernels at every step, whatever the batch size), on top of `l2`.
   */
  weightDecay: z.number().min(0).default(0),
  /** Learning rate per epoch: constant, cosine annealing to 0 over the epochs, or multiplied by `lrStepGamma` every `lrStepEpochs`. */
  lrSchedule: z.enum(['constant', 'cosine', 'step']).default('constant'),
  lrStepEpochs: z.number().int().min(1).default(10),
  lrStepGamma: z.number().gt(0).max(1).default(0.1),
  /** Epochs of linear warm-up from learningRate / (warm-up + 1) before the schedule starts. */
  lrWarmupEpochs: z.number().int().min(0).default(0),
};

/** The training-loop settings every family shares (optimizer, learning rate, l2, batch size, epochs, early stopping). */
export const trainingParamsSchema = z.object(trainingShape);

const logisticSchema = z
  .object({ ...trainingShape, learningRate: z.number().positive().default(0.01) })
  .strict();
const linearSchema = z
  .object({ ...trainingShape, learningRate: z.number().positive().default(0.01) })
  .strict();

const mlpSchema = z
  .object({
    ...trainingShape,
    layers: z.array(z.number().int().min(1)).optional(),
    hiddenLayers: z.number().int().min(0).default(1),
    units: z.number().int().min(1).default(100),
    activation: z.enum(['relu', 'tanh', 'sigmoid', 'elu']).default('relu'),
    dropout: z.number().min(0).lt(1).default(0),
  })
  .strict();

const convBlockSchema = z
  .object({
    filters: z.number().int().min(1).default(16),
    kernelSize: z.number().int().min(1).default(3),
    pooling: z.enum(['max', 'avg', 'none']).default('max'),
    batchNorm: z.boolean().default(false),
    dropout: z.number().min(0).lt(1).default(0),
  })
  .strict();

const cnnSchema = z
  .object({
    ...trainingShape,
    blocks: z
      .array(convBlockSchema)
      .min(1)
      .default([{ filters: 16, kernelSize: 3, pooling: 'max', batchNorm: false, dropout: 0 }]),
    denseUnits: z.number().int().min(0).default(64),
    activation: z.enum(['relu', 'tanh', 'sigmoid', 'elu']).default('relu'),
    dropout: z.number().min(0).lt(1).default(0),
    /** Augmentation of the training images each epoch: random shifts of up to this many pixels (zero-filled). */
    augmentShift: z.number().int().min(0).max(8).default(0),
    /** Augmentation: mirror each training image left–right with probability 1/2 each epoch. */
    augmentFlip: z.boolean().default(false),
  })
  .strict();

const resnetSchema = z
  .object({
    ...trainingShape,
    /** Residual blocks (two 3 × 3 convolutions each) per stage: 1 gives ResNet-8 with 3 stages, 2 ResNet-14, 3 ResNet-20. */
    blocksPerStage: z.number().int().min(1).max(8).default(1),
    stages: z.number().int().min(1).max(4).default(3),
    /** Filters of the stem and the first stage; every later stage doubles them. */
    width: z.number().int().min(1).max(256).default(16),
    /** Halve height and width at the first block of every stage after the first (a stride-2 convolution). */
    downsample: z.boolean().default(true),
    /** Augmentation of the training images each epoch: random shifts of up to this many pixels (zero-filled). */
    augmentShift: z.number().int().min(0).max(8).default(0),
    /** Augmentation: mirror each training image left–right with probability 1/2 each epoch. */
    augmentFlip: z.boolean().default(false),
  })
  .strict();

/**
 * The hyperparameters of each built-in model family (types, ranges, defaults): what a spec's `params` and `space` of
 * that family may name. Workers train with them; the SDK checks specs against them without loading TensorFlow.js.
 */
export const familyParamsSchemas = {
  logistic: logisticSchema,
  linear: linearSchema,
  mlp: mlpSchema,
  cnn: cnnSchema,
  resnet: resnetSchema,
} as const;

/** A built-in model family that has a hyperparameter schema. */
export type BuiltinFamily = keyof typeof familyParamsSchemas;

/** The hyperparameters of built-in family F as a spec writes them (every one optional: each has a default). */
export type FamilyParamsInput<F extends BuiltinFamily = BuiltinFamily> = z.input<
  (typeof familyParamsSchemas)[F]
>;
