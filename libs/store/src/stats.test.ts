import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanCi, studentTCdf, studentTQuantile } from './stats';

// Reference values: scipy 1.10 (`scipy.stats.t.ppf/cdf`, numpy std ddof=1) via /usr/bin/python3.
// scipy's t.ppf(0.995, 3) is itself off by ~2e-9 relative (its own t.cdf of it is 0.99499999998), hence 1e-8 on quantiles.
const close = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

void test('Student-t quantiles and CDF agree with scipy', () => {
  close(studentTQuantile(0.975, 1), 12.706204736432095, 1e-8, 't.ppf(0.975, 1)');
  close(studentTQuantile(0.995, 3), 5.84090929975643, 1e-8, 't.ppf(0.995, 3)');
  close(studentTQuantile(0.9, 30), 1.3104150225671307, 1e-8, 't.ppf(0.9, 30)');
  close(studentTQuantile(0.1, 30), -1.3104150225671307, 1e-8, 't.ppf(0.1, 30)');
  close(studentTCdf(-2.1, 7), 0.0369355981064613, 1e-10, 't.cdf(-2.1, 7)');
});

void test('meanCi gives scipy’s mean, sample std and t interval', () => {
  const cases: Array<[number[], number, number | undefined, [number, number, number, number]]> = [
    [[0.81, 0.84, 0.79, 0.88, 0.83], 0.95, undefined, [0.8299999999999998, 0.03391164991562632, 0.7878931251800768, 0.8721068748199229]],
    [[0.5, 0.7], 0.95, undefined, [0.6, 0.14142135623730948, -0.6706204736432092, 1.8706204736432093]],
    [[0.91, 0.93, 0.92, 0.95, 0.9, 0.94, 0.89, 0.96, 0.93, 0.92], 0.99, undefined, [0.925, 0.021730674684008806, 0.90266764131023, 0.9473323586897701]],
    [[0.81, 0.84, 0.79, 0.88, 0.83], 0.95, 0.25, [0.8299999999999998, 0.03391164991562632, 0.7668396877701154, 0.8931603122298843]],
  ];
  for (const [scores, level, testTrainRatio, [mean, std, low, high]] of cases) {
    const r = meanCi(scores, testTrainRatio === undefined ? { level } : { level, testTrainRatio });
    close(r.mean, mean, 1e-12, 'mean');
    close(r.std, std, 1e-12, 'std');
    close(r.low, low, 1e-8, 'low');
    close(r.high, high, 1e-8, 'high');
  }
});

void test('meanCi names the argument it rejects', () => {
  assert.throws(() => meanCi([1]), /scores must hold at least 2/);
  assert.throws(() => meanCi([1, Number.NaN]), /scores must be finite/);
  assert.throws(() => meanCi([1, 2], { level: 1 }), /level must be in/);
  assert.throws(() => meanCi([1, 2], { testTrainRatio: 0 }), /testTrainRatio must be > 0/);
});
