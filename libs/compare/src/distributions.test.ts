import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { binomialCdf, chiSquare, normal, studentT } from './distributions';
import { betaIncPair, gammaIncPair, logGamma } from './special';
import { assertAbsClose, assertRelClose, loadFixture } from './fixtures.testutil';

interface DistFixtures {
  normal: { x: number; cdf: number; sf: number; pdf: number }[];
  normalPpf: { p: number; x: number }[];
  studentT: { df: number; x: number; cdf: number; sf: number; pdf: number }[];
  studentTPpf: { df: number; p: number; x: number; xExact: number }[];
  chiSquare: { k: number; x: number; cdf: number; sf: number }[];
  gammaln: { x: number; y: number }[];
  gammainc: { a: number; x: number; p: number; q: number }[];
  betainc: { a: number; b: number; x: number; p: number; q: number }[];
  binom: { k: number; n: number; p: number; cdf: number }[];
  betaincHasComplement: boolean;
}

const fx = loadFixture<DistFixtures>('distributions.json');
const TOL = 1e-10;

void test('the normal cdf, sf and pdf match SciPy to 1e-10 relative across both tails', () => {
  for (const r of fx.normal) {
    assertRelClose(normal.cdf(r.x), r.cdf, TOL, `normal.cdf(${r.x})`);
    assertRelClose(normal.sf(r.x), r.sf, TOL, `normal.sf(${r.x})`);
    assertRelClose(normal.pdf(r.x), r.pdf, TOL, `normal.pdf(${r.x})`);
  }
});

void test('the normal quantile matches SciPy to 1e-10 relative for p from 1e-300 to 1 - 1e-12', () => {
  for (const r of fx.normalPpf) assertRelClose(normal.ppf(r.p), r.x, TOL, `normal.ppf(${r.p})`);
});

void test('the Student t cdf, sf and pdf match SciPy to 1e-10 relative for df from 1 to 1e5', () => {
  for (const r of fx.studentT) {
    assertRelClose(studentT.cdf(r.x, r.df), r.cdf, TOL, `t.cdf(${r.x}, ${r.df})`);
    assertRelClose(studentT.sf(r.x, r.df), r.sf, TOL, `t.sf(${r.x}, ${r.df})`);
    assertRelClose(studentT.pdf(r.x, r.df), r.pdf, TOL, `t.pdf(${r.x}, ${r.df})`);
  }
});

void test('the Student t quantile matches SciPy to 1e-10 relative, deep tails included, and mpmath to 1e-12', () => {
  for (const r of fx.studentTPpf) {
    const got = studentT.ppf(r.p, r.df);
    assertRelClose(got, r.xExact, 1e-12, `t.ppf(${r.p}, ${r.df}) vs mpmath`);
    const scipyOff = Math.abs(r.x - r.xExact) > 5e-11 * Math.abs(r.xExact);
    if (!scipyOff) assertRelClose(got, r.x, TOL, `t.ppf(${r.p}, ${r.df}) vs SciPy`);
  }
});

void test('the chi-square cdf and sf match SciPy to 1e-10 relative', () => {
  for (const r of fx.chiSquare) {
    assertRelClose(chiSquare.cdf(r.x, r.k), r.cdf, TOL, `chi2.cdf(${r.x}, ${r.k})`);
    assertRelClose(chiSquare.sf(r.x, r.k), r.sf, TOL, `chi2.sf(${r.x}, ${r.k})`);
  }
});

void test('log-gamma matches SciPy gammaln to 1e-10 (relative, absolute near its zeros at 1 and 2)', () => {
  for (const r of fx.gammaln) {
    const got = logGamma(r.x);
    if (Math.abs(r.y) < 1) assertAbsClose(got, r.y, 1e-14, `gammaln(${r.x})`);
    else assertRelClose(got, r.y, TOL, `gammaln(${r.x})`);
  }
});

void test('the regularized incomplete gamma functions match SciPy gammainc and gammaincc', () => {
  for (const r of fx.gammainc) {
    const got = gammaIncPair(r.a, r.x);
    assertRelClose(got.p, r.p, TOL, `gammainc(${r.a}, ${r.x})`);
    assertRelClose(got.q, r.q, TOL, `gammaincc(${r.a}, ${r.x})`);
  }
});

void test('the regularized incomplete beta function matches SciPy betainc', () => {
  for (const r of fx.betainc) {
    const got = betaIncPair(r.a, r.b, r.x);
    assertRelClose(got.p, r.p, TOL, `betainc(${r.a}, ${r.b}, ${r.x})`);
    if (fx.betaincHasComplement) assertRelClose(got.q, r.q, TOL, `betaincc(${r.a}, ${r.b}, ${r.x})`);
    else assertAbsClose(got.q, r.q, 1e-14, `1 - betainc(${r.a}, ${r.b}, ${r.x})`);
  }
});

void test('the binomial cdf matches SciPy binom.cdf', () => {
  for (const r of fx.binom)
    assertRelClose(binomialCdf(r.k, r.n, r.p), r.cdf, TOL, `binom.cdf(${r.k}, ${r.n})`);
});

void test('quantiles invert their cdfs and cdf plus sf is one', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }),
      fc.integer({ min: 1, max: 200 }),
      (p, df) => {
        assert.ok(Math.abs(normal.cdf(normal.ppf(p)) - p) <= 1e-13 * Math.max(p, 1e-3));
        assert.ok(Math.abs(studentT.cdf(studentT.ppf(p, df), df) - p) <= 1e-12 * Math.max(p, 1e-3));
        const x = normal.ppf(p);
        assert.ok(Math.abs(studentT.cdf(x, df) + studentT.sf(x, df) - 1) <= 1e-15);
      },
    ),
  );
});

void test('out-of-range arguments give NaN or name the bad parameter', () => {
  assert.ok(Number.isNaN(normal.ppf(1.5)));
  assert.ok(Number.isNaN(studentT.cdf(NaN, 3)));
  assert.throws(() => studentT.cdf(1, 0), /df: must be > 0/);
  assert.throws(() => chiSquare.sf(1, -1), /df: must be > 0/);
  assert.equal(normal.ppf(0), -Infinity);
  assert.equal(studentT.ppf(1, 4), Infinity);
});
