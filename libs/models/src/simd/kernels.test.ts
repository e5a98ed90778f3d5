import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ActivationCode, Arena, instantiateKernels, simdSupported, view } from './kernels';

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

const f32 = Math.fround;

/** The spacing of float32 values at |v| (the ulp of a float32 result near v). */
const ulpAt = (v: number): number => {
  const a = Math.abs(f32(v));
  if (a < 2 ** -126) return 2 ** -149;
  return 2 ** (Math.floor(Math.log2(a)) - 23);
};

/** Reference values in double precision, and the error bounds the kernel states in kernels.wat. */
const ACTIVATIONS = {
  exp: { code: ActivationCode.exp, ref: Math.exp, limit: 88, ulp: 1, abs: Infinity, rel: 9e-8 },
  tanh: { code: ActivationCode.tanh, ref: Math.tanh, limit: 32, ulp: 2.4, abs: 9e-8, rel: 1.8e-7 },
  sigmoid: {
    code: ActivationCode.sigmoid,
    ref: (x: number) => 1 / (1 + Math.exp(-x)),
    limit: 32,
    ulp: 2.3,
    abs: 9e-8,
    rel: 1.8e-7,
  },
  elu: {
    code: ActivationCode.elu,
    ref: (x: number) => (x >= 0 ? x : Math.expm1(x)),
    limit: 32,
    ulp: 0.9,
    abs: 4.5e-8,
    rel: 8.5e-8,
  },
} as const;

test('exp, tanh, sigmoid and elu stay within their stated error of Math.exp, Math.tanh, 1/(1 + e^−x) and Math.expm1 on every 9973rd float32 of both signs', async () => {
  const n = 1 << 16;
  const ar = new Arena();
  const [X, Y] = [ar.reserve(n), ar.reserve(n)];
  const k = await instantiateKernels(ar.bytes);
  const x = view(k, X, n);
  const bits = new Uint32Array(k.memory.buffer, X, n);
  const y = view(k, Y, n);
  for (const [name, a] of Object.entries(ACTIVATIONS)) {
    const end = new Uint32Array(new Float32Array([a.limit]).buffer)[0]!;
    let [ulp, abs, rel, count] = [0, 0, 0, 0];
    for (let b = 0; b < end;) {
      let m = 0;
      for (; m < n && b < end; m += 2, b += 9973) [bits[m], bits[m + 1]] = [b, (b | 0x80000000) >>> 0];
      k.activate(a.code, m, X, Y);
      for (let i = 0; i < m; i++) {
        const want = a.ref(x[i]!);
        const err = Math.abs(y[i]! - want);
        abs = Math.max(abs, err);
        if (Math.abs(want) < 2 ** -126) {
          assert.ok(err < 2 ** -126, `${name}(${x[i]}) = ${y[i]}, want ${want}`);
          continue;
        }
        ulp = Math.max(ulp, err / ulpAt(want));
        rel = Math.max(rel, err / Math.abs(want));
      }
      count += m;
    }
    console.log(
      `${name}: ${count} values, max ${ulp.toFixed(2)} ulp, absolute ${abs.toExponential(2)}, relative ${rel.toExponential(2)}`,
    );
    assert.ok(ulp <= a.ulp, `${name}: ${ulp} ulp`);
    assert.ok(abs <= a.abs, `${name}: absolute error ${abs}`);
    assert.ok(rel <= a.rel, `${name}: relative error ${rel}`);
  }
});

test('the activations at edge values: zeros keep their sign, ±∞ and huge inputs give the limits, subnormals pass through, NaN stays NaN', async () => {
  const ar = new Arena();
  const cases: [string, number, number][] = [
    ['tanh', 0, 0],
    ['tanh', -0, -0],
    ['tanh', Infinity, 1],
    ['tanh', -Infinity, -1],
    ['tanh', 1e30, 1],
    ['tanh', -9.5, -1],
    ['tanh', 1e-40, f32(1e-40)],
    ['tanh', -1e-40, f32(-1e-40)],
    ['tanh', NaN, NaN],
    ['sigmoid', 0, 0.5],
    ['sigmoid', -0, 0.5],
    ['sigmoid', Infinity, 1],
    ['sigmoid', -Infinity, 0],
    ['sigmoid', 1e30, 1],
    ['sigmoid', -1e30, 0],
    ['sigmoid', -100, 0],
    ['sigmoid', 1e-40, 0.5],
    ['sigmoid', NaN, NaN],
    ['elu', 0, 0],
    ['elu', -0, -0],
    ['elu', 3.5, 3.5],
    ['elu', 1e30, f32(1e30)],
    ['elu', Infinity, Infinity],
    ['elu', -Infinity, -1],
    ['elu', -1e30, -1],
    ['elu', -1e-40, f32(-1e-40)],
    ['elu', NaN, NaN],
    ['exp', 0, 1],
    ['exp', -Infinity, 0],
    ['exp', -88, 0],
    ['exp', -1e-40, 1],
    ['exp', NaN, NaN],
  ];
  const n = cases.length;
  const [X, Y] = [ar.reserve(n), ar.reserve(n)];
  const k = await instantiateKernels(ar.bytes);
  for (const [name, input, want] of cases) {
    view(k, X, 1)[0] = input;
    k.activate(ACTIVATIONS[name as keyof typeof ACTIVATIONS].code, 1, X, Y);
    assert.ok(Object.is(view(k, Y, 1)[0], want), `${name}(${input}) = ${view(k, Y, 1)[0]}, want ${want}`);
  }
});

const SENTINEL = 12345;

test('activationForward writes f(Z) into A and the masked copy with its ones column into H, row by row, and nothing past them', async () => {
  const k = await instantiateKernels(1 << 20);
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        rows: fc.integer({ min: 1, max: 9 }),
        u: fc.integer({ min: 1, max: 13 }),
        kind: fc.constantFrom(ActivationCode.tanh, ActivationCode.sigmoid, ActivationCode.elu),
        withA: fc.boolean(),
        withMask: fc.boolean(),
        seed: fc.integer(),
      }),
      async ({ rows, u, kind, withA, withMask, seed }) => {
        const ar = new Arena();
        const n = rows * u;
        const [Z, A, H, M, R] = [
          ar.reserve(n),
          ar.reserve(n + 4),
          ar.reserve(rows * (u + 1) + 4),
          ar.reserve(n),
          ar.reserve(n),
        ];
        const z = fill(view(k, Z, n), seed);
        z.forEach((v, i) => (z[i] = v * 12));
        const m = fill(view(k, M, n), seed + 1);
        m.forEach((v, i) => (m[i] = v > 0 ? 1.25 : 0));
        view(k, A, n + 4).fill(SENTINEL);
        view(k, H, rows * (u + 1) + 4).fill(SENTINEL);
        k.activate(kind, n, Z, R);
        const want = Array.from(view(k, R, n));
        k.activationForward(kind, rows, u, Z, withA ? A : 0, H, withMask ? M : 0);
        const a = view(k, A, n + 4);
        const h = view(k, H, rows * (u + 1) + 4);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < u; c++) {
            const q = r * u + c;
            assert.equal(a[q], withA ? want[q] : SENTINEL);
            assert.equal(h[r * (u + 1) + c], withMask ? f32(want[q]! * m[q]!) : want[q]);
          }
          assert.equal(h[r * (u + 1) + u], 1);
        }
        assert.deepEqual(Array.from(a.subarray(n)), [SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
        assert.deepEqual(Array.from(h.subarray(rows * (u + 1))), [SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
      },
    ),
    { numRuns: 80 },
  );
});

test('activationBackward is DH · f′(A) · M in float32, operation by operation, for any length', async () => {
  const k = await instantiateKernels(1 << 16);
  const grads: Record<number, (a: number) => number> = {
    [ActivationCode.tanh]: (a) => f32(1 - f32(a * a)),
    [ActivationCode.sigmoid]: (a) => f32(a * f32(1 - a)),
    [ActivationCode.elu]: (a) => Math.min(f32(a + 1), 1),
  };
  for (const n of [1, 2, 3, 4, 7, 64, 130]) {
    for (const kind of [ActivationCode.tanh, ActivationCode.sigmoid, ActivationCode.elu]) {
      for (const masked of [false, true]) {
        const ar = new Arena();
        const [DH, A, M, OUT] = [ar.reserve(n), ar.reserve(n), ar.reserve(n), ar.reserve(n + 4)];
        const dh = fill(view(k, DH, n), n + kind);
        const a = fill(view(k, A, n), n * 7 + kind);
        if (kind === ActivationCode.elu) a.forEach((v, i) => (a[i] = i % 2 ? v * 3 : -Math.abs(v)));
        const m = fill(view(k, M, n), n * 3);
        m.forEach((v, i) => (m[i] = v > 0 ? 1.25 : 0));
        view(k, OUT, n + 4).fill(SENTINEL);
        k.activationBackward(kind, n, DH, A, masked ? M : 0, OUT);
        const out = view(k, OUT, n + 4);
        for (let i = 0; i < n; i++) {
          const g = f32(dh[i]! * grads[kind]!(a[i]!));
          assert.equal(out[i], masked ? f32(g * m[i]!) : g, `kind ${kind} n=${n} [${i}]`);
        }
        assert.deepEqual(Array.from(out.subarray(n)), [SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
      }
    }
  }
});

test('transpose moves every value of any shape to its mirrored place', async () => {
  const k = await instantiateKernels(1 << 16);
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        R: fc.integer({ min: 1, max: 19 }),
        C: fc.integer({ min: 1, max: 19 }),
        seed: fc.integer(),
      }),
      async ({ R, C, seed }) => {
        const ar = new Arena();
        const [A, B] = [ar.reserve(R * C), ar.reserve(R * C + 4)];
        const a = fill(view(k, A, R * C), seed);
        view(k, B, R * C + 4).fill(SENTINEL);
        k.transpose(R, C, A, B);
        const b = view(k, B, R * C + 4);
        for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) assert.equal(b[j * R + i], a[i * C + j]);
        assert.deepEqual(Array.from(b.subarray(R * C)), [SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
      },
    ),
    { numRuns: 60 },
  );
});

test('axpy adds alpha·X to Y in float32 for any length', async () => {
  const k = await instantiateKernels(1 << 16);
  for (const n of [1, 3, 4, 5, 17, 130]) {
    const ar = new Arena();
    const [X, Y] = [ar.reserve(n), ar.reserve(n + 4)];
    const x = fill(view(k, X, n), n);
    const y = fill(view(k, Y, n), n + 1);
    view(k, Y, n + 4).fill(SENTINEL, n);
    const want = Array.from(y, (v, i) => f32(v + f32(f32(0.003) * x[i]!)));
    k.axpy(n, 0.003, X, Y);
    assert.deepEqual(Array.from(view(k, Y, n + 4)), [...want, SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
  }
});

test('softmaxCrossEntropy gives (softmax − Y)·scale and the probability of the true class, for any number of classes and extreme logits', async () => {
  const k = await instantiateKernels(1 << 16);
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        rows: fc.integer({ min: 1, max: 9 }),
        C: fc.integer({ min: 1, max: 13 }),
        spread: fc.constantFrom(1, 10, 100),
        seed: fc.integer(),
      }),
      async ({ rows, C, spread, seed }) => {
        const ar = new Arena();
        const [OUT, Y, D, PT] = [
          ar.reserve(rows * C),
          ar.reserve(rows * C),
          ar.reserve(rows * C + 4),
          ar.reserve(rows + 4),
        ];
        const o = fill(view(k, OUT, rows * C), seed, false);
        o.forEach((v, i) => (o[i] = v * spread));
        const y = view(k, Y, rows * C).fill(0);
        for (let r = 0; r < rows; r++) y[r * C + (Math.abs(seed + r) % C)] = 1;
        view(k, D, rows * C + 4).fill(SENTINEL);
        view(k, PT, rows + 4).fill(SENTINEL);
        k.softmaxCrossEntropy(rows, C, OUT, Y, 0.125, D, PT);
        const d = view(k, D, rows * C + 4);
        const pt = view(k, PT, rows + 4);
        for (let r = 0; r < rows; r++) {
          const row = Array.from(o.subarray(r * C, (r + 1) * C));
          const max = Math.max(...row);
          const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
          for (let c = 0; c < C; c++) {
            const p = Math.exp(row[c]! - max) / sum;
            const tolP = p * (Math.abs(row[c]! - max) + 8 + C) * 2 ** -24 + 2 ** -126;
            const yc = y[r * C + c]!;
            const want = (p - yc) * 0.125;
            assert.ok(
              Math.abs(d[r * C + c]! - want) <= 0.125 * (tolP + 2 ** -25),
              `D[${r}, ${c}] = ${d[r * C + c]}, want ${want}`,
            );
            if (yc === 1) assert.ok(Math.abs(pt[r]! - p) <= tolP, `PT[${r}] = ${pt[r]}, want ${p}`);
          }
          assert.ok(Number.isFinite(pt[r]), `PT[${r}] = ${pt[r]}`);
        }
        assert.deepEqual(Array.from(d.subarray(rows * C)), [SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
        assert.deepEqual(Array.from(pt.subarray(rows)), [SENTINEL, SENTINEL, SENTINEL, SENTINEL]);
      },
    ),
    { numRuns: 80 },
  );
});
