import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Arena, instantiateKernels, simdSupported, view } from './kernels';

const close = (got: Float32Array, want: Float64Array, what: string): void => {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    const tol = 1e-5 * Math.max(1, Math.abs(want[i]!));
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
};

const dims = fc.record({
  M: fc.integer({ min: 1, max: 19 }),
  K: fc.integer({ min: 1, max: 17 }),
  N: fc.integer({ min: 1, max: 23 }),
  seed: fc.integer(),
});

const fill = (a: Float32Array, seed: number, zeros = true): Float32Array => {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = zeros && s % 5 === 0 ? 0 : (s / 2 ** 32) * 2 - 1;
  }
  return a;
};

test('this Node runtime validates WebAssembly SIMD', () => {
  assert.equal(simdSupported(), true);
});

test('mm and mmTN equal plain triple loops for any shape, including zero entries and tails that are not multiples of 4', async () => {
  const k = await instantiateKernels(1 << 20);
  await fc.assert(
    fc.asyncProperty(dims, async ({ M, K, N, seed }) => {
      const ar = new Arena();
      const A = ar.reserve(M * K);
      const B = ar.reserve(K * N);
      const C = ar.reserve(M * N);
      const Bt = ar.reserve(M * N);
      const CT = ar.reserve(K * N);
      const a = fill(view(k, A, M * K), seed);
      const b = fill(view(k, B, K * N), seed + 1);
      const bt = fill(view(k, Bt, M * N), seed + 2);
      fill(view(k, C, M * N), seed + 3);
      k.mm(M, K, N, A, B, C);
      const want = new Float64Array(M * N);
      for (let i = 0; i < M; i++)
        for (let j = 0; j < N; j++)
          for (let q = 0; q < K; q++) want[i * N + j]! += a[i * K + q]! * b[q * N + j]!;
      close(view(k, C, M * N), want, 'mm');
      fill(view(k, CT, K * N), seed + 4);
      k.mmTN(M, K, N, A, Bt, CT);
      const wantT = new Float64Array(K * N);
      for (let q = 0; q < K; q++)
        for (let j = 0; j < N; j++)
          for (let i = 0; i < M; i++) wantT[q * N + j]! += a[i * K + q]! * bt[i * N + j]!;
      close(view(k, CT, K * N), wantT, 'mmTN');
    }),
    { numRuns: 60 },
  );
});

test('adam, sgd and rmsprop update every value as their formulas say', async () => {
  const k = await instantiateKernels(1 << 16);
  for (const n of [1, 3, 4, 9, 130]) {
    const ar = new Arena();
    const [W, G, S1, S2] = [ar.reserve(n), ar.reserve(n), ar.reserve(n), ar.reserve(n)];
    [W, G, S1, S2].forEach((p, i) => {
      const a = fill(view(k, p, n), n * 10 + i, false);
      if (i >= 2) a.forEach((x, j) => (a[j] = Math.abs(x)));
    });
    let [w, g, m, v] = [W, G, S1, S2].map((p) => Array.from(view(k, p, n)));
    k.adam(n, W, G, S1, S2, 0.01, 0.1, 0.001, 1e-7);
    const m2 = m!.map((x, i) => x + 0.1 * (g![i]! - x));
    const v2 = v!.map((x, i) => x + 0.001 * (g![i]! ** 2 - x));
    close(view(k, S1, n), Float64Array.from(m2), `adam m n=${n}`);
    close(view(k, S2, n), Float64Array.from(v2), `adam v n=${n}`);
    close(
      view(k, W, n),
      Float64Array.from(w!.map((x, i) => x - (0.01 * m2[i]!) / (Math.sqrt(v2[i]!) + 1e-7))),
      `adam w n=${n}`,
    );

    [w, g, m] = [W, G, S1].map((p) => Array.from(view(k, p, n)));
    k.sgd(n, W, G, S1, 0.05, 0.9);
    const a2 = m!.map((x, i) => 0.9 * x + g![i]!);
    close(view(k, S1, n), Float64Array.from(a2), `sgd a n=${n}`);
    close(view(k, W, n), Float64Array.from(w!.map((x, i) => x - 0.05 * a2[i]!)), `sgd w n=${n}`);

    [w, g, v] = [W, G, S2].map((p) => Array.from(view(k, p, n)));
    k.rmsprop(n, W, G, S2, 0.02, 0.1, 1e-7);
    const s2 = v!.map((x, i) => x + 0.1 * (g![i]! ** 2 - x));
    close(view(k, S2, n), Float64Array.from(s2), `rmsprop s n=${n}`);
    close(
      view(k, W, n),
      Float64Array.from(w!.map((x, i) => x - (0.02 * g![i]!) / Math.sqrt(s2[i]! + 1e-7))),
      `rmsprop w n=${n}`,
    );
  }
});
