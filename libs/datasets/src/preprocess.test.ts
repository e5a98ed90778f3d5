import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  fitPreprocessor,
  gatherLabels,
  gatherRows,
  preprocessorFromState,
  type PreprocessorState,
} from './preprocess';

interface Reference {
  nFeatures: number;
  X: number[];
  trainIdx: number[];
  valIdx: number[];
  standard: { mean: number[]; scale: number[]; valTransformed: number[] };
  minmax: { dataMin: number[]; dataRange: number[]; valTransformed: number[] };
}

const ref = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'scaler-reference.json'), 'utf8'),
) as Reference;

function close(actual: ArrayLike<number>, expected: number[], rel: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    assert.ok(Math.abs(a - e) <= rel * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs scikit-learn ${e}`);
  }
}

test('the standard scaler matches scikit-learn StandardScaler fitted on the training rows', () => {
  const X = Float32Array.from(ref.X);
  const p = fitPreprocessor({ scale: 'standard' }, X, ref.nFeatures, Uint32Array.from(ref.trainIdx));
  assert.equal(p.state.scale, 'standard');
  const s = p.state as Extract<PreprocessorState, { scale: 'standard' }>;
  close(s.mean, ref.standard.mean, 1e-12, 'mean');
  close(s.std, ref.standard.scale, 1e-9, 'scale');
  assert.equal(s.std[1], 1);
  close(p.transform(X, Uint32Array.from(ref.valIdx)), ref.standard.valTransformed, 1e-6, 'transform');
});

test('the min-max scaler matches scikit-learn MinMaxScaler fitted on the training rows', () => {
  const X = Float32Array.from(ref.X);
  const p = fitPreprocessor({ scale: 'minmax' }, X, ref.nFeatures, Uint32Array.from(ref.trainIdx));
  const s = p.state as Extract<PreprocessorState, { scale: 'minmax' }>;
  close(s.min, ref.minmax.dataMin, 0, 'min');
  close(
    s.range,
    ref.minmax.dataRange.map((r) => (r === 0 ? 1 : r)),
    1e-12,
    'range',
  );
  close(p.transform(X, Uint32Array.from(ref.valIdx)), ref.minmax.valTransformed, 1e-6, 'transform');
});

test('validation rows never influence the fitted state', () => {
  const arb = fc
    .record({ n: fc.integer({ min: 2, max: 30 }), d: fc.integer({ min: 1, max: 6 }), seed: fc.integer() })
    .chain(({ n, d }) =>
      fc.record({
        n: fc.constant(n),
        d: fc.constant(d),
        X: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
          minLength: n * d,
          maxLength: n * d,
        }),
        junk: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), {
          minLength: n * d,
          maxLength: n * d,
        }),
        inTrain: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        scale: fc.constantFrom('standard' as const, 'minmax' as const, 'image' as const, 'none' as const),
      }),
    );
  fc.assert(
    fc.property(arb, ({ n, d, X, junk, inTrain, scale }) => {
      fc.pre(inTrain.some(Boolean));
      const train = Uint32Array.from([...Array(n).keys()].filter((i) => inTrain[i]));
      const a = Float32Array.from(X);
      const b = Float32Array.from(X);
      for (let i = 0; i < n; i++)
        if (!inTrain[i]) for (let j = 0; j < d; j++) b[i * d + j] = junk[i * d + j] as number;
      const sa = fitPreprocessor({ scale }, a, d, train).state;
      const sb = fitPreprocessor({ scale }, b, d, train).state;
      assert.deepEqual(sb, sa);
    }),
    { numRuns: 200 },
  );
});

test('a state saved as JSON rebuilds a preprocessor that transforms identically', () => {
  const X = Float32Array.from(ref.X);
  const val = Uint32Array.from(ref.valIdx);
  for (const scale of ['standard', 'minmax', 'image', 'none'] as const) {
    const p = fitPreprocessor({ scale }, X, ref.nFeatures, Uint32Array.from(ref.trainIdx));
    const q = preprocessorFromState(JSON.parse(JSON.stringify(p.state)) as PreprocessorState);
    assert.deepEqual(q.transform(X, val), p.transform(X, val));
  }
});

test('image scaling divides by 255 or by the declared maximum', () => {
  const X = Float32Array.from([0, 255, 51, 16, 8, 4]);
  const idx = Uint32Array.from([1, 0]);
  assert.deepEqual(
    Array.from(fitPreprocessor({ scale: 'image' }, X, 3, idx).transform(X, idx)),
    [16 / 255, 8 / 255, 4 / 255, 0, 1, 51 / 255].map(Math.fround),
  );
  assert.deepEqual(
    Array.from(fitPreprocessor({ scale: 'image', max: 16 }, X, 3, idx).transform(X, Uint32Array.from([1]))),
    [1, 0.5, 0.25],
  );
});

test('rows and labels are gathered in index order', () => {
  const X = Float32Array.from([1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(gatherRows(X, 2, Uint32Array.from([2, 0, 2]))), [5, 6, 1, 2, 5, 6]);
  assert.deepEqual(
    Array.from(gatherLabels(Float64Array.from([7, 8, 9]), Uint32Array.from([1, 1, 0]))),
    [8, 8, 7],
  );
  assert.throws(() => gatherRows(X, 2, Uint32Array.from([3])), /idx\[0\]: row 3 is out of range for 3 rows/);
  assert.throws(
    () => fitPreprocessor({ scale: 'standard' }, X, 4, Uint32Array.from([0])),
    /X: length 6 is not a multiple of nFeatures=4/,
  );
});
