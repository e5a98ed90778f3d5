import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Domain } from '@foldwise/spec';
import { buildMixture, defaultWeights, logPdf, scaleOf, type Scale } from './parzen';

// Kernel means, bandwidths and weights are Optuna 3.1's _ParzenEstimator's (consider_prior, prior_weight=1,
// magic clip, no endpoints, default_weights), printed by /usr/bin/python3 with that class. Continuous log
// densities are SciPy 1.10's truncnorm.logpdf mixed over those kernels: Optuna 3.1's own truncnorm.logpdf
// leaves out the -log(sigma) term, so its densities are not normalised and are not used as the reference.
// Discrete (integer) log masses and categorical ones are Optuna's (they do not involve that term).

const opts = { priorWeight: 1, considerEndpoints: false };

function mixtureOf(d: Domain, obs: number[]) {
  const scale = scaleOf(d) as Scale;
  const rows = obs.map((v) => [scale.toT(v)]);
  return { m: buildMixture([scale], rows, defaultWeights(rows.length), opts), scale };
}

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

test("a uniform parameter gets Optuna 3.1's kernels and correctly normalised truncated-normal densities", () => {
  const { m, scale } = mixtureOf({ type: 'uniform', low: -2, high: 3 }, [0.1, 0.5, 0.55, 0.9, -1.5]);
  const dim = m.dims[0];
  assert.ok(dim?.kind === 'numeric');
  const sigmas = [1.6, 0.7142857142857143, 0.7142857142857143, 0.7142857142857143, 1.6, 5.0];
  sigmas.forEach((s, i) => close(dim.sigmas[i] as number, s, 1e-12, `sigma ${i}`));
  m.weights.forEach((w) => close(w, 1 / 6, 1e-12, 'weight'));
  const expected = [-2.1338339532788106, -1.1722410800785803, -0.9725031000112534, -3.092313648267217];
  [-1.9, 0.0, 0.52, 2.9].forEach((x, i) =>
    close(logPdf(m, [scale.toT(x)]), expected[i] as number, 1e-6, `logpdf(${x})`),
  );
});

test('an integer parameter gets the same bandwidths and log masses as Optuna 3.1', () => {
  const { m, scale } = mixtureOf({ type: 'intUniform', low: 1, high: 12 }, [3, 3, 7, 12]);
  const dim = m.dims[0];
  assert.ok(dim?.kind === 'numeric');
  [2.0, 3.5, 5.0, 5.0, 12.0].forEach((s, i) => close(dim.sigmas[i] as number, s, 1e-12, `sigma ${i}`));
  const expected = [-2.5138432851390533, -2.1911392553170357, -2.625725494829453, -2.8222343666437046];
  [1, 3, 8, 12].forEach((x, i) =>
    close(logPdf(m, [scale.toT(x)]), expected[i] as number, 1e-5, `logpmf(${x})`),
  );
});

test('a categorical parameter gets the same smoothed kernels as Optuna 3.1', () => {
  const { m } = mixtureOf(
    { type: 'choice', values: ['a', 'b', 'c'] },
    [0, 2, 2].map((i) => ['a', 'b', 'c'][i]) as never,
  );
  const expected = [-1.0986122886681096, -1.6582280766035324, -0.7419373447293772];
  [0, 1, 2].forEach((x, i) => close(logPdf(m, [x]), expected[i] as number, 1e-12, `logpmf(${x})`));
});

test('older observations are down-weighted past 25 as in Optuna, with densities on the log scale', () => {
  const obs = Array.from({ length: 30 }, (_, i) => 0.01 + (0.98 * i) / 29);
  const { m, scale } = mixtureOf({ type: 'logUniform', low: 1e-3, high: 1 }, obs);
  const w = [
    0.0011661807580174927, 0.009620991253644314, 0.018075801749271137, 0.026530612244897955,
    0.034985422740524776, 0.034985422740524776,
  ];
  w.forEach((x, i) => close(m.weights[i] as number, x, 1e-12, `weight ${i}`));
  const expected = [-5.2929020231342045, -3.734965079461669, -0.2162915716592715];
  [0.002, 0.05, 0.7].forEach((x, i) =>
    close(logPdf(m, [scale.toT(x)]), expected[i] as number, 1e-6, `logpdf(${x})`),
  );
});

test('discrete estimators are probability mass functions over the domain', () => {
  const d: Domain = { type: 'step', low: 0, high: 1, step: 0.125 };
  const { m, scale } = mixtureOf(d, [0.25, 0.375, 1]);
  let total = 0;
  for (let k = 0; k <= 8; k++) total += Math.exp(logPdf(m, [scale.toT(k * 0.125)]));
  close(total, 1, 1e-6, 'total mass');
});
