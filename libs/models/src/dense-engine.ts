import type { Activation, OptimizerName } from './families';

/** Adam's first-moment decay. */
export const BETA1 = 0.9;
/** Adam's second-moment decay. */
export const BETA2 = 0.999;
/** RMSprop's decay. */
export const RHO = 0.9;
/** Adam's epsilon: scikit-learn's (and PyTorch's) 1e-8, where Keras has 1e-7. */
export const ADAM_EPSILON = 1e-8;
/** RMSprop's epsilon (Keras's) and the floor of the probabilities in the log-losses. */
export const EPS = 1e-7;

/**
 * The shapes and data of a packed dense run of P jobs of one architecture. Weights of a job are one flat run of
 * `T` values (layer l at `offsets[l]`, an augmented `(dims[l] + 1) × dims[l + 1]` matrix whose last row is the bias);
 * P jobs lie one after the other. Inputs carry a trailing column of ones.
 */
export interface DenseLayout {
  P: number;
  F: number;
  C: number;
  dims: number[];
  L: number;
  act: Activation;
  B: number;
  opt: OptimizerName;
  cls: boolean;
  sizes: number[];
  offsets: number[];
  T: number;
  /** Training rows of every job, `(F + 1)` values each. */
  xAll: Float32Array;
  /** One-hot labels (classification) or targets, `C` values per training row. */
  yAll: Float32Array;
  /** Validation rows, `vMax` per job (padded), `(F + 1)` values each. */
  xVal: Float32Array;
  yVal: Float32Array;
  /** 1/nVal for real validation rows, 0 for padding. */
  vScale: Float32Array;
  /** Class id of each validation row, −1 for padding. */
  vLabel: Int32Array;
  vMax: number;
  nVal: number[];
  /** L2 coefficient per job, scikit-learn's `alpha` (applied to kernels, not biases; see `l2Decay`). */
  l2: number[];
  /** SGD momentum per job. */
  momentum: number[];
  anyDropout: boolean;
}

/** One epoch's steps for every job: rows, weights of rows in the gradient and the loss, optimizer coefficients, dropout masks. */
export interface EpochPlan {
  nSteps: number;
  /** Training row of each (step, job, batch position), laid out `(st·P + p)·B + j`. */
  idx: Int32Array;
  /** 1/batch count for real rows, 0 for padding. */
  scale: Float32Array;
  /** 1/nTrain for real rows: weights of the epoch's training loss. */
  lossW: Float32Array;
  /** Per-(step, job) optimizer coefficients: adam [lrt, 1−β1, 1−β2], sgd [lr, 1], rmsprop [lr, 1−ρ]; 0 where a job does not step. */
  coef: Float32Array[];
  /** Per-(step, job) weight-decay factor `d` (`l2Decay`): the step's kernel gradients get `d·W` added. */
  decay: Float32Array;
  /** Per hidden layer, `(st·P + p)·B·units` inverted-dropout multipliers (absent without dropout). */
  dmasks: Float32Array[];
}

/** How a packed dense run computes: tfjs tensors on the active backend, or foldwise's WebAssembly SIMD kernels. */
export interface DenseEngine {
  /** The name recorded as the fold's backend. */
  readonly backend: string;
  /** Runs the epoch's steps; false when `stopped()` turned true before the end. */
  runEpoch(plan: EpochPlan, stopped: () => boolean): boolean;
  /** Per job: training loss of the epoch just run, then validation loss, then validation score (3·P values). */
  epochStats(): Float32Array;
  /** The flat weights of all jobs (P·T). */
  weights(): Float32Array;
  /** The optimizer's state slots, each flat like the weights. */
  optState(): Float32Array[];
  /** Validation outputs: softmax probabilities or predictions, `vMax · C` per job. */
  valOutputs(): Float32Array;
  dispose(): void;
}

/** Number of optimizer state slots per weight. */
export function optSlots(o: OptimizerName): number {
  return o === 'adam' ? 2 : 1;
}
