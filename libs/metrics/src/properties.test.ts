import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  accuracyScore,
  averagePrecisionScore,
  balancedAccuracyScore,
  cohenKappaScore,
  confusionMatrix,
  f1Score,
  logLoss,
  matthewsCorrcoef,
  precisionRecallFscoreSupport,
  r2Score,
  rocAucScore,
} from './index';

const pairs = (classes: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: classes - 1 }), fc.integer({ min: 0, max: classes - 1 })), {
    minLength: 1,
    maxLength: 80,
  });

const split = (p: [number, number][]): [number[], number[]] => [p.map((x) => x[0]), p.map((x) => x[1])];

function close(a: number, b: number, what: string): void {
  assert.ok(
    Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)) || (Number.isNaN(a) && Number.isNaN(b)),
    `${what}: ${a} vs ${b}`,
  );
}

void test('micro-averaged F1, precision and recall all equal accuracy for single-label multi-class data', () => {
  fc.assert(
    fc.property(pairs(5), (p) => {
      const [t, y] = split(p);
      const acc = accuracyScore(t, y);
      const micro = precisionRecallFscoreSupport(t, y, { average: 'micro' });
      close(f1Score(t, y, { average: 'micro' }), acc, 'f1');
      close(micro.precision as number, acc, 'precision');
      close(micro.recall as number, acc, 'recall');
    }),
  );
});

void test('the confusion matrix sums to n, its rows count the true labels and its trace over n is accuracy', () => {
  fc.assert(
    fc.property(pairs(4), (p) => {
      const [t, y] = split(p);
      const cm = confusionMatrix(t, y);
      const labels = [...new Set([...t, ...y])].sort((a, b) => a - b);
      assert.equal(cm.length, labels.length);
      assert.equal(
        cm.flat().reduce((a, b) => a + b, 0),
        t.length,
      );
      cm.forEach((row, i) =>
        assert.equal(
          row.reduce((a, b) => a + b, 0),
          t.filter((v) => v === labels[i]).length,
        ),
      );
      const trace = cm.reduce((s, row, i) => s + (row[i] as number), 0);
      close(trace / t.length, accuracyScore(t, y), 'trace');
    }),
  );
});

void test('scores are unchanged when the samples are permuted', () => {
  fc.assert(
    fc.property(pairs(3), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (p, seed) => {
      const [t, y] = split(p);
      const order = t.map((_, i) => i);
      let s = seed;
      for (let i = order.length - 1; i > 0; i--) {
        s = (s * 1103515245 + 12345) % 2 ** 31;
        const j = s % (i + 1);
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      const tp = order.map((i) => t[i] as number);
      const yp = order.map((i) => y[i] as number);
      close(accuracyScore(tp, yp), accuracyScore(t, y), 'accuracy');
      close(f1Score(tp, yp, { average: 'macro' }), f1Score(t, y, { average: 'macro' }), 'f1');
      close(matthewsCorrcoef(tp, yp), matthewsCorrcoef(t, y), 'mcc');
      close(cohenKappaScore(tp, yp), cohenKappaScore(t, y), 'kappa');
      close(balancedAccuracyScore(tp, yp), balancedAccuracyScore(t, y), 'balanced');
      const scores = y.map((v, i) => (v + ((i * 7) % 5)) / 10);
      const sp = order.map((i) => scores[i] as number);
      if (new Set(t).size === 2) {
        close(rocAucScore(tp, sp), rocAucScore(t, scores), 'auc');
        const tb = t.map((v) => (v === Math.max(...t) ? 1 : 0));
        close(
          averagePrecisionScore(
            order.map((i) => tb[i] as number),
            sp,
          ),
          averagePrecisionScore(tb, scores),
          'ap',
        );
      }
      const probs = scores.map((v) => 0.05 + 0.9 * v);
      if (new Set(t).size === 2)
        close(
          logLoss(
            tp,
            order.map((i) => probs[i] as number),
          ),
          logLoss(t, probs),
          'logloss',
        );
      close(r2Score(tp, sp), r2Score(t, scores), 'r2');
    }),
  );
});

void test('bounded metrics stay within their ranges: [0, 1] for rates and [-1, 1] for correlations', () => {
  fc.assert(
    fc.property(pairs(4), (p) => {
      const [t, y] = split(p);
      for (const average of ['micro', 'macro', 'weighted'] as const) {
        const v = f1Score(t, y, { average });
        assert.ok(v >= 0 && v <= 1, `f1 ${average} ${v}`);
      }
      const b = balancedAccuracyScore(t, y);
      assert.ok(b >= 0 && b <= 1, `balanced ${b}`);
      const m = matthewsCorrcoef(t, y);
      assert.ok(m >= -1 - 1e-12 && m <= 1 + 1e-12, `mcc ${m}`);
      const k = cohenKappaScore(t, y, { weights: 'quadratic' });
      assert.ok(Number.isNaN(k) || (k >= -1 - 1e-12 && k <= 1 + 1e-12), `kappa ${k}`);
    }),
  );
});

void test('relabelling classes with order-preserving strings changes no score', () => {
  const names = ['alpha', 'bravo', 'charlie', 'delta'];
  fc.assert(
    fc.property(pairs(4), (p) => {
      const [t, y] = split(p);
      const ts = t.map((v) => names[v] as string);
      const ys = y.map((v) => names[v] as string);
      assert.deepEqual(confusionMatrix(ts, ys), confusionMatrix(t, y));
      close(f1Score(ts, ys, { average: 'weighted' }), f1Score(t, y, { average: 'weighted' }), 'f1');
      close(
        cohenKappaScore(ts, ys, { weights: 'linear' }),
        cohenKappaScore(t, y, { weights: 'linear' }),
        'kappa',
      );
    }),
  );
});

void test('binary ROC AUC equals the pairwise (Mann-Whitney) probability, and negating the scores gives 1 - AUC', () => {
  const data = fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: -5, max: 5 })), {
    minLength: 2,
    maxLength: 60,
  });
  fc.assert(
    fc.property(data, (d) => {
      fc.pre(new Set(d.map((x) => x[0])).size === 2);
      const t = d.map((x) => x[0]);
      const s = d.map((x) => x[1] / 2);
      let wins = 0;
      let pairsCount = 0;
      for (let i = 0; i < d.length; i++) {
        for (let j = 0; j < d.length; j++) {
          if (t[i] !== 1 || t[j] !== 0) continue;
          pairsCount++;
          wins += (s[i] as number) > (s[j] as number) ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
      }
      const auc = rocAucScore(t, s);
      close(auc, wins / pairsCount, 'pairwise');
      close(
        rocAucScore(
          t,
          s.map((v) => -v),
        ),
        1 - auc,
        'negated',
      );
      const ap = averagePrecisionScore(t, s);
      assert.ok(ap > 0 && ap <= 1, `ap ${ap}`);
    }),
  );
});

void test('typed arrays and plain arrays give identical results', () => {
  fc.assert(
    fc.property(pairs(6), (p) => {
      const [t, y] = split(p);
      const ti = Int32Array.from(t);
      const yf = Float32Array.from(y);
      assert.deepEqual(confusionMatrix(ti, yf), confusionMatrix(t, y));
      assert.equal(f1Score(ti, yf, { average: 'macro' }), f1Score(t, y, { average: 'macro' }));
      assert.equal(matthewsCorrcoef(ti, yf), matthewsCorrcoef(t, y));
    }),
  );
});

void test('per-class F1 is the harmonic mean of per-class precision and recall', () => {
  fc.assert(
    fc.property(pairs(4), (p) => {
      const [t, y] = split(p);
      const r = precisionRecallFscoreSupport(t, y);
      (r.fScore as number[]).forEach((f, i) => {
        const pr = (r.precision as number[])[i] as number;
        const rc = (r.recall as number[])[i] as number;
        close(f, pr + rc === 0 ? 0 : (2 * pr * rc) / (pr + rc), `class ${i}`);
      });
    }),
  );
});

void test('large, negative and fractional labels are encoded exactly like small non-negative integers', () => {
  fc.assert(
    fc.property(pairs(4), fc.constantFrom(100_000, -7, 0.5), (p, shift) => {
      const [t, y] = split(p);
      const map = (v: number) => (shift === 0.5 ? v * shift : v + shift);
      assert.deepEqual(confusionMatrix(t.map(map), y.map(map)), confusionMatrix(t, y));
      assert.deepEqual(f1Score(t.map(map), y.map(map), { average: null }), f1Score(t, y, { average: null }));
      close(matthewsCorrcoef(t.map(map), y.map(map)), matthewsCorrcoef(t, y), 'mcc');
    }),
  );
});
