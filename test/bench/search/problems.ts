/** Benchmark objectives with known optima, shared by the search benchmark and its Optuna peer (same definitions). */
import type { SearchSpaceInput } from '@foldwise/spec';
import type { Rng } from '@foldwise/selection';

/** A benchmark problem: a space, an objective to minimise (possibly noisy) and the true value of a configuration. */
export interface Problem {
  name: string;
  space: SearchSpaceInput;
  /** The true (noise-free) value, minimised. */
  truth(p: Record<string, unknown>): number;
  /** The observed value (noisy problems add fold noise). */
  observe(p: Record<string, unknown>, rng: Rng): number;
  optimum: number;
}

const n = (p: Record<string, unknown>, k: string): number => p[k] as number;

function branin(x1: number, x2: number): number {
  const a = 1;
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  return a * (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}

const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];
const H_ALPHA = [1, 1.2, 3, 3.2];

function hartmann6(x: number[]): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++)
      inner += (H_A[i] as number[])[j]! * ((x[j] as number) - (H_P[i] as number[])[j]! * 1e-4) ** 2;
    s -= H_ALPHA[i]! * Math.exp(-inner);
  }
  return s;
}

/** Validation error of a made-up model: minimum 0.05 at lr=0.01, layers=3, optimizer='adam', dropout=0.2. */
export function noisyTruth(p: Record<string, unknown>): number {
  const lr = Math.log10(n(p, 'lr')) + 2;
  const layers = n(p, 'layers') - 3;
  const opt = { adam: 0, rmsprop: 0.03, sgd: 0.08 }[p['optimizer'] as 'adam' | 'rmsprop' | 'sgd'];
  const dropout = n(p, 'dropout') - 0.2;
  return 0.05 + 0.04 * lr * lr + 0.01 * layers * layers + opt + 0.5 * dropout * dropout;
}

/** Standard deviation of one fold's noise around the true error in the noisy problem. */
export const FOLD_NOISE = 0.03;
/** Number of folds whose mean is observed in the noisy problem. */
export const N_FOLDS = 5;

/** The three problems. */
export const PROBLEMS: Problem[] = [
  {
    name: 'branin',
    space: { x1: { type: 'uniform', low: -5, high: 10 }, x2: { type: 'uniform', low: 0, high: 15 } },
    truth: (p) => branin(n(p, 'x1'), n(p, 'x2')),
    observe: (p) => branin(n(p, 'x1'), n(p, 'x2')),
    optimum: 0.397887357729738,
  },
  {
    name: 'hartmann6',
    space: Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [`x${i}`, { type: 'uniform', low: 0, high: 1 }]),
    ),
    truth: (p) => hartmann6(Array.from({ length: 6 }, (_, i) => n(p, `x${i}`))),
    observe: (p) => hartmann6(Array.from({ length: 6 }, (_, i) => n(p, `x${i}`))),
    optimum: -3.32236801141551,
  },
  {
    name: 'noisy-5fold',
    space: {
      lr: { type: 'logUniform', low: 1e-4, high: 1 },
      layers: { type: 'intUniform', low: 1, high: 6 },
      optimizer: { type: 'choice', values: ['sgd', 'adam', 'rmsprop'] },
      dropout: { type: 'uniform', low: 0, high: 0.5 },
    },
    truth: noisyTruth,
    observe: (p, rng) => {
      let s = 0;
      for (let f = 0; f < N_FOLDS; f++) s += noisyTruth(p) + FOLD_NOISE * rng.normal();
      return s / N_FOLDS;
    },
    optimum: 0.05,
  },
];
