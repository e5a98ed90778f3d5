import { test } from 'node:test';
import assert from 'node:assert/strict';
import { holm } from './adjust';
import {
  HolmFamily,
  compareTopK,
  rankCandidates,
  repeatsSentence,
  undecidedCandidates,
  type Candidate,
} from './candidates';
import { correctedResampledTTest } from './paired';
import { mulberry32 } from './prng';

const spec = { topK: 5, tests: ['corrected-t', 'wilcoxon', 'bayesian'] as const, alpha: 0.05, rope: 0.01 };

/** Standard normal deviates from a seeded mulberry32 stream (Box–Muller). */
function normals(seed: number): () => number {
  const next = mulberry32(seed);
  return () => {
    const u = (next() + 1) / 4294967297;
    const v = next() / 4294967296;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

const candidate = (i: number, model: string, foldScores: number[]): Candidate => ({
  trialId: `s:${i}`,
  trialIndex: i,
  model,
  foldScores,
});

void test('with the metric range every candidate interval stays inside it and names its method', () => {
  const ranked = rankCandidates(
    [
      candidate(0, 'mlp', [1, 0.9487, 1, 0.9474]),
      candidate(1, 'mlp', [0.97, 0.95, 1, 0.93]),
      candidate(2, 'logistic', [0.9, 0.92, 0.95, 0.91]),
    ],
    true,
  );
  const plain = compareTopK(ranked, spec, 'f1_macro', true, 1 / 3);
  assert.ok(plain!.candidates[0]!.ci95[1] > 1, 'the unbounded interval leaves [0, 1] here');
  const c = compareTopK(ranked, spec, 'f1_macro', true, 1 / 3, { range: { low: 0, high: 1 } });
  for (const x of c!.candidates) {
    assert.ok(x.ci95[0] >= 0 && x.ci95[1] <= 1, `${x.trialId} [${x.ci95.join(', ')}]`);
    assert.equal(x.ciMethod, 'logit-corrected-t');
  }
});

void test('all-pairs Holm adjusts the winner’s p-values within every pair of the top K', () => {
  const draw = normals(7);
  const ranked = rankCandidates(
    Array.from({ length: 5 }, (_, i) =>
      candidate(
        i,
        'mlp',
        Array.from({ length: 10 }, (_, f) => 0.9 - 0.004 * i + 0.01 * Math.sin(f) + 0.003 * draw()),
      ),
    ),
    true,
  );
  const c = compareTopK(ranked, spec, 'accuracy', true, 1 / 9, { holm: HolmFamily.AllPairs })!;
  const ps: number[] = [];
  for (let i = 0; i < 5; i++)
    for (let j = i + 1; j < 5; j++)
      ps.push(
        correctedResampledTTest(ranked[i]!.foldScores as number[], ranked[j]!.foldScores as number[], {
          testTrainRatio: 1 / 9,
        }).pValue,
      );
  const adjusted = holm(ps, 0.05).adjusted;
  c.pairwise.forEach((p, i) => assert.equal(p.correctedT!.pHolm, adjusted[i]));
  const winnerOnly = compareTopK(ranked, spec, 'accuracy', true, 1 / 9)!;
  c.pairwise.forEach((p, i) => assert.ok(p.correctedT!.pHolm >= winnerOnly.pairwise[i]!.correctedT!.pHolm));
  assert.equal(c.holm, 'all-pairs');
  assert.match(c.verdict, /Holm-corrected over all pairs/);
});

void test('when all K candidates are equal, the all-pairs verdict calls the winner better in at most alpha of studies', () => {
  const studies = 1500;
  let allPairs = 0;
  let winnerOnly = 0;
  const draw = normals(2024);
  for (let s = 0; s < studies; s++) {
    // Fold effects shared by all, and candidate noise correlated across folds as overlapping training sets make it
    // (exchangeable, rho = 1/k: the correlation the corrected t-test assumes).
    const fold = Array.from({ length: 10 }, () => 0.02 * draw());
    const rho = 0.1;
    const ranked = rankCandidates(
      Array.from({ length: 5 }, (_, i) => {
        const g = draw();
        return candidate(
          i,
          'mlp',
          fold.map((u) => 0.8 + u + 0.01 * (Math.sqrt(rho) * g + Math.sqrt(1 - rho) * draw())),
        );
      }),
      true,
    );
    const one = { ...spec, tests: ['corrected-t'] as const };
    const a = compareTopK(ranked, one, 'accuracy', true, 1 / 9, { holm: HolmFamily.AllPairs })!;
    const w = compareTopK(ranked, one, 'accuracy', true, 1 / 9)!;
    if (a.pairwise.some((p) => p.correctedT!.pHolm < 0.05)) allPairs++;
    if (w.pairwise.some((p) => p.correctedT!.pHolm < 0.05)) winnerOnly++;
  }
  // Monte-Carlo standard error of a 0.05 rate over 1,500 studies is 0.0056.
  assert.ok(allPairs / studies <= 0.05 + 2 * 0.0056, `all-pairs rate ${allPairs / studies}`);
  assert.ok(
    winnerOnly / studies > 0.05 + 2 * 0.0056,
    `winner-only rate ${winnerOnly / studies} (selection bias)`,
  );
});

void test('every listed family is named with its best configuration, and the winner’s family is compared with each', () => {
  const ranked = rankCandidates(
    [
      candidate(0, 'logistic', [0.9, 0.91, 0.89, 0.9, 0.92]),
      candidate(1, 'mlp', [0.96, 0.97, 0.95, 0.97, 0.96]),
      candidate(2, 'mlp', [0.95, 0.96, 0.95, 0.96, 0.95]),
      candidate(3, 'logistic', [0.85, 0.86, 0.84, 0.85, 0.86]),
    ],
    true,
  );
  const r = compareTopK(ranked, { ...spec, topK: 2 }, 'accuracy', true, 0.25, {
    families: ['logistic', 'mlp', 'cnn'],
    range: { low: 0, high: 1 },
  })!;
  assert.deepEqual(
    r.families!.map((f) => [f.model, f.trialId, f.candidates]),
    [
      ['logistic', 's:0', 2],
      ['mlp', 's:1', 2],
      ['cnn', null, 0],
    ],
    'the best of each family, in the order listed, even one outside the top K and one without a candidate',
  );
  const logistic = r.families![0]!;
  assert.ok(logistic.vsWinner && logistic.vsWinner.meanDiff > 0);
  assert.ok(logistic.vsWinner.correctedT!.pValue < 0.05);
  assert.equal(r.families![1]!.vsWinner, undefined, 'the winner’s family is not compared with itself');
  assert.match(r.verdict, /Best of each family: logistic s:0 \(0\.9040, best of 2\); mlp s:1/);
  assert.match(r.verdict, /cnn: no configuration completed every fold/);
  assert.match(r.verdict, /mlp's best is significantly better than logistic's \(corrected t, Holm p = /);
});

void test('candidates with different numbers of folds (repeats on demand) are compared on the folds they share', () => {
  const z = normals(41);
  const shared = Array.from({ length: 12 }, () => 0.02 * z());
  const a = candidate(
    0,
    'mlp',
    shared.map((f) => 0.9 + f + 0.005 * z()),
  );
  const b = candidate(
    1,
    'mlp',
    shared.map((f) => 0.899 + f + 0.005 * z()),
  );
  const c = candidate(
    2,
    'mlp',
    shared.slice(0, 4).map((f) => 0.85 + f + 0.005 * z()),
  );
  const cmp = compareTopK([a, b, c], spec, 'accuracy', true, 0.25)!;
  const ac = cmp.pairwise.find((p) => p.b === c.trialId)!;
  const ab = cmp.pairwise.find((p) => p.b === b.trialId)!;
  assert.equal(ac.folds, 4);
  assert.equal(ab.folds, 12);
  const direct = correctedResampledTTest(a.foldScores.slice(0, 4) as number[], c.foldScores as number[], {
    testTrainRatio: 0.25,
  });
  assert.equal(ac.correctedT?.pValue, direct.pValue, 'the 4 shared folds, not NaN from missing ones');
  assert.ok(Number.isFinite(ab.correctedT?.pValue));
  const same = compareTopK([a, b], spec, 'accuracy', true, 0.25)!;
  assert.equal(same.pairwise[0]?.folds, undefined, 'equal fold counts record nothing extra');
});

void test('undecidedCandidates names the pairs neither significant nor practically equivalent', () => {
  const z = normals(7);
  const shared = Array.from({ length: 5 }, () => 0.02 * z());
  const best = candidate(
    0,
    'mlp',
    shared.map((f) => 0.9 + f + 0.004 * z()),
  );
  const close = candidate(
    1,
    'mlp',
    shared.map((f) => 0.895 + f + 0.004 * z()),
  );
  const far = candidate(
    2,
    'mlp',
    shared.map((f) => 0.6 + f + 0.004 * z()),
  );
  const cmp = compareTopK(
    rankCandidates([best, close, far], true),
    { ...spec, rope: 0.001 },
    'accuracy',
    true,
    0.25,
    {
      holm: HolmFamily.AllPairs,
    },
  )!;
  assert.deepEqual(undecidedCandidates(cmp, 0.05), [close.trialId]);
  const twins = compareTopK(
    [best, candidate(3, 'mlp', [...best.foldScores] as number[])],
    spec,
    'accuracy',
    true,
    0.25,
  )!;
  assert.deepEqual(
    undecidedCandidates(twins, 0.05),
    [],
    'identical scores: no test can run, nothing to repeat',
  );
  const equivalent = compareTopK(
    [
      best,
      candidate(
        4,
        'mlp',
        best.foldScores.map((x) => (x as number) - 0.0001),
      ),
    ],
    { ...spec, rope: 0.05 },
    'accuracy',
    true,
    0.25,
  )!;
  assert.ok((equivalent.pairwise[0]?.bayesian?.pRope ?? 0) > 0.95);
  assert.deepEqual(undecidedCandidates(equivalent, 0.05), [], 'practically equivalent is decided');
});

void test('repeatsSentence says how many repeats the verdict needed', () => {
  const base = { k: 5, max: 4, perCandidate: { 's:0': 1, 's:1': 1 } };
  assert.match(
    repeatsSentence({ ...base, rounds: [], decided: true }),
    /Decided on the first repeat of 5 folds/,
  );
  assert.equal(
    repeatsSentence({
      ...base,
      rounds: [
        { repeat: 2, trials: ['s:0', 's:1'] },
        { repeat: 3, trials: ['s:0', 's:1'] },
      ],
      perCandidate: { 's:0': 3, 's:1': 3, 's:2': 1 },
      decided: true,
    }),
    'Decided after 3 repeats of 5 folds (at most 4; up to 2 candidates repeated).',
  );
  assert.match(
    repeatsSentence({
      ...base,
      rounds: [{ repeat: 2, trials: ['s:0', 's:1'] }],
      perCandidate: { 's:0': 4, 's:1': 4 },
      decided: false,
    }),
    /^Still undecided after 4 repeats of 5 folds, the most allowed/,
  );
});
