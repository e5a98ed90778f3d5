import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { correctedResampledTTest } from '@foldwise/compare';
import { racingSpecSchema } from '@foldwise/spec';
import { createRacer, type RacingDecision } from './racer';

const on = racingSpecSchema.parse({ enabled: true });

function feed(
  racer: ReturnType<typeof createRacer>,
  trial: number,
  scores: number[],
  from = 0,
): RacingDecision[] {
  const out: RacingDecision[] = [];
  scores.forEach((y, i) => out.push(...racer.onFoldResult(trial, from + i, y)));
  return out;
}

test('a clearly worse configuration is stopped as soon as it has minFolds folds, with the test as evidence', () => {
  const r = createRacer(on, { nFolds: 5, direction: 'maximize' });
  const inc = [0.9, 0.88, 0.91, 0.87, 0.9];
  feed(r, 0, inc);
  assert.deepEqual(feed(r, 1, [0.5, 0.52]), []);
  const d = r.onFoldResult(1, 2, 0.49);
  const ref = correctedResampledTTest([0.5, 0.52, 0.49], inc.slice(0, 3), {
    testTrainRatio: 0.25,
    alternative: 'less',
  });
  assert.deepEqual(d, [
    {
      action: 'prune',
      trialIndex: 1,
      evidence: {
        incumbentTrial: 0,
        test: 'corrected-t',
        statistic: ref.statistic,
        pValue: ref.pValue,
        nFolds: 3,
        meanDiff: ref.meanDiff,
      },
    },
  ]);
  assert.ok(ref.pValue < 0.05);
  assert.equal(r.isPruned(1), true);
  assert.deepEqual(r.onFoldResult(1, 3, 0.5), [], 'a late fold of a pruned trial decides nothing');
});

test('any configuration clearly worse on every shared fold is stopped exactly at minFolds, never before', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.3, max: 0.9, noNaN: true }), { minLength: 5, maxLength: 5 }),
      fc.double({ min: 0.05, max: 0.2, noNaN: true }),
      fc.array(fc.double({ min: -0.1, max: 0.1, noNaN: true }), { minLength: 5, maxLength: 5 }),
      fc.integer({ min: 2, max: 4 }),
      (inc, gap, jitter, minFolds) => {
        const r = createRacer(racingSpecSchema.parse({ enabled: true, minFolds }), {
          nFolds: 5,
          direction: 'maximize',
        });
        feed(r, 0, inc);
        for (let f = 0; f < 5; f++) {
          const d = r.onFoldResult(1, f, (inc[f] as number) - gap * (1 + (jitter[f] as number)));
          if (f + 1 < minFolds) assert.deepEqual(d, []);
          else {
            assert.deepEqual(
              d.map((x) => x.trialIndex),
              [1],
            );
            assert.equal(d[0]?.evidence.nFolds, minFolds);
            break;
          }
        }
      },
    ),
  );
});

test('when minimising, a configuration with clearly larger losses is stopped', () => {
  const r = createRacer(on, { nFolds: 5, direction: 'minimize' });
  feed(r, 0, [0.1, 0.12, 0.11, 0.1, 0.13]);
  const d = feed(r, 1, [0.4, 0.42, 0.39]);
  assert.equal(d.length, 1);
  assert.equal(d[0]?.trialIndex, 1);
  assert.ok((d[0]?.evidence.meanDiff ?? 0) > 0);
  assert.deepEqual(feed(r, 2, [0.05, 0.06, 0.04]), [], 'a better configuration is never stopped');
});

test('racing never prunes the incumbent nor a configuration whose folds are all complete', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 7 }),
          fc.integer({ min: 0, max: 4 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
        { maxLength: 120 },
      ),
      fc.constantFrom('maximize' as const, 'minimize' as const),
      fc.constantFrom('corrected-t' as const, 'wilcoxon' as const),
      (events, direction, testName) => {
        const r = createRacer(
          racingSpecSchema.parse({ enabled: true, test: testName, alpha: 0.3, minFolds: 2 }),
          { nFolds: 5, direction },
        );
        const folds = new Map<number, Set<number>>();
        for (const [t, f, y] of events) {
          const before = folds.get(t) ?? new Set<number>();
          folds.set(t, before.add(f));
          for (const d of r.onFoldResult(t, f, y)) {
            assert.notEqual(d.trialIndex, r.incumbent());
            assert.ok((folds.get(d.trialIndex)?.size ?? 0) < 5, 'complete trials are not pruned');
            assert.ok(d.evidence.nFolds >= 2 && d.evidence.pValue < 0.3);
          }
          const inc = r.incumbent();
          if (inc !== undefined) assert.equal(r.isPruned(inc), false);
        }
      },
    ),
  );
});

test('the incumbent changes when a better configuration completes, and running ones are re-tested against it', () => {
  const r = createRacer(on, { nFolds: 5, direction: 'maximize' });
  feed(r, 0, [0.7, 0.72, 0.69, 0.71, 0.7]);
  assert.deepEqual(feed(r, 1, [0.69, 0.71, 0.7]), [], 'close to the incumbent');
  feed(r, 2, [0.95, 0.96, 0.94, 0.95]);
  assert.equal(r.incumbent(), 0);
  const d = r.onFoldResult(2, 4, 0.95);
  assert.equal(r.incumbent(), 2);
  assert.deepEqual(
    d.map((x) => [x.trialIndex, x.evidence.incumbentTrial]),
    [[1, 2]],
  );
  assert.equal(r.isPruned(0), false, 'a complete configuration keeps its result');
});

test('while no configuration is complete, the best by mean over at least minFolds folds is the incumbent', () => {
  const r = createRacer(on, { nFolds: 10, direction: 'maximize' });
  feed(r, 0, [0.6, 0.61]);
  assert.equal(r.incumbent(), undefined);
  feed(r, 1, [0.8, 0.81, 0.79]);
  assert.equal(r.incumbent(), 1);
  const d = r.onFoldResult(0, 2, 0.6);
  assert.deepEqual(
    d.map((x) => x.trialIndex),
    [0],
  );
});

test('with racing disabled nothing is ever pruned', () => {
  const r = createRacer(racingSpecSchema.parse({ enabled: false }), { nFolds: 5, direction: 'maximize' });
  feed(r, 0, [0.9, 0.9, 0.9, 0.9, 0.9]);
  assert.deepEqual(feed(r, 1, [0.1, 0.1, 0.1, 0.1]), []);
});

test('the one-sided Wilcoxon test needs five folds to reach p < 0.05', () => {
  const r = createRacer(racingSpecSchema.parse({ enabled: true, test: 'wilcoxon' }), {
    nFolds: 10,
    direction: 'maximize',
  });
  feed(r, 0, [0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99]);
  assert.deepEqual(feed(r, 1, [0.1, 0.2, 0.3, 0.4]), []);
  const d = r.onFoldResult(1, 4, 0.5);
  assert.equal(d[0]?.evidence.test, 'wilcoxon');
  assert.ok((d[0]?.evidence.pValue ?? 1) < 0.05);
});

test('a racer restored from its JSON state decides like the original', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 5 }),
          fc.integer({ min: 0, max: 4 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
        { maxLength: 60 },
      ),
      fc.nat(60),
      (events, cut) => {
        const a = createRacer(racingSpecSchema.parse({ enabled: true, alpha: 0.2 }), {
          nFolds: 5,
          direction: 'maximize',
        });
        events.slice(0, cut).forEach(([t, f, y]) => a.onFoldResult(t, f, y));
        const b = createRacer(
          racingSpecSchema.parse({ enabled: true, alpha: 0.2 }),
          { nFolds: 5, direction: 'maximize' },
          JSON.parse(JSON.stringify(a.state())),
        );
        for (const [t, f, y] of events.slice(cut))
          assert.deepEqual(b.onFoldResult(t, f, y), a.onFoldResult(t, f, y));
        assert.deepEqual(b.state(), a.state());
      },
    ),
  );
});

test('fold results outside the cross-validation are refused with the argument named', () => {
  const r = createRacer(on, { nFolds: 5, direction: 'maximize' });
  assert.throws(() => r.onFoldResult(0, 5, 0.1), /fold: must be an integer in \[0, 5\) \(got 5\)/);
  assert.throws(() => r.onFoldResult(0, 1, Number.NaN), /score: must be a finite number/);
  assert.throws(
    () => createRacer(on, { nFolds: 1, direction: 'maximize' }),
    /nFolds: must be an integer >= 2/,
  );
});

const anytime = racingSpecSchema.parse({ enabled: true, test: 'anytime-t' });

test('anytime-t tests its j-th look of a configuration at alpha / (j(j + 1)) and records the look', () => {
  const r = createRacer(anytime, { nFolds: 10, direction: 'maximize' });
  const inc = [0.9, 0.88, 0.91, 0.87, 0.9, 0.89, 0.9, 0.92, 0.88, 0.9];
  feed(r, 0, inc);
  // Worse by about 1.5 sd of the differences: corrected t at look 1 (3 folds) gives p between 0.025 and 0.05.
  const cand = [0.885, 0.855, 0.9, 0.85, 0.88, 0.87, 0.875, 0.9, 0.86, 0.88];
  const p3 = correctedResampledTTest(cand.slice(0, 3), inc.slice(0, 3), {
    testTrainRatio: 1 / 9,
    alternative: 'less',
  }).pValue;
  assert.ok(p3 > 0.025 && p3 < 0.05, `look 1 p = ${p3}`);
  assert.deepEqual(feed(r, 1, cand.slice(0, 3)), [], 'p < 0.05 but not < 0.05 / 2: no prune at look 1');
  const plain = createRacer(racingSpecSchema.parse({ enabled: true }), { nFolds: 10, direction: 'maximize' });
  feed(plain, 0, inc);
  assert.equal(feed(plain, 1, cand.slice(0, 3)).length, 1, 'corrected t at every look prunes it there');
  const later = feed(r, 1, cand.slice(3), 3);
  assert.equal(later.length, 1);
  const e = later[0]!.evidence;
  assert.equal(e.test, 'anytime-t');
  assert.equal(e.level, 0.05 / (e.look! * (e.look! + 1)));
  assert.ok(e.pValue < e.level!);
  assert.equal(e.look, e.nFolds - 2, 'one look per new shared fold from the third on');
  assert.equal(r.state().looks?.['1']?.n, e.look);
});

test('anytime-t: testing again on the same data is no new look, and looks survive a restore from state', () => {
  const r = createRacer(anytime, { nFolds: 5, direction: 'maximize' });
  feed(r, 0, [0.9, 0.9, 0.9]);
  feed(r, 1, [0.89, 0.9, 0.91]);
  const looks = r.state().looks?.['1']?.n;
  assert.equal(looks, 1, 'the first test of trial 1 is its first look');
  // Trial 0 gains folds while trial 1 has 3: the shared folds and the incumbent stay the same, so no new look.
  feed(r, 0, [0.91, 0.89], 3);
  feed(r, 2, [0.7, 0.71]);
  assert.equal(r.state().looks?.['1']?.n, looks, 'the same data again spends no look');
  feed(r, 1, [0.9], 3);
  assert.equal(r.state().looks?.['1']?.n, 2, 'a new shared fold is a new look');
  const restored = createRacer(anytime, { nFolds: 5, direction: 'maximize' }, r.state());
  assert.deepEqual(restored.state(), r.state());
});

test('with a fixed incumbent and no true difference, anytime-t prunes in at most alpha of studies over all looks', () => {
  // Exchangeable fold noise with rho = 1/k, the model under which each look's corrected t p-value is exact.
  const k = 10;
  const rho = 1 / k;
  const studies = 2000;
  let everyLook = 0;
  let spent = 0;
  const rng = mulberry(11);
  for (let s = 0; s < studies; s++) {
    const draw = () => {
      const g = rng();
      return Array.from({ length: k }, () => 0.9 + 0.01 * (Math.sqrt(rho) * g + Math.sqrt(1 - rho) * rng()));
    };
    const inc = draw();
    const cand = draw();
    for (const [spec, count] of [
      [on, () => everyLook++],
      [anytime, () => spent++],
    ] as const) {
      const r = createRacer(spec, { nFolds: k, direction: 'maximize' });
      feed(r, 0, inc);
      if (feed(r, 1, cand).length > 0) count();
    }
  }
  const se = Math.sqrt((0.05 * 0.95) / studies);
  assert.ok(spent / studies <= 0.05 + 2 * se, `anytime-t pruned ${spent / studies}`);
  assert.ok(
    everyLook / studies > 0.05 + 2 * se,
    `corrected t at every look pruned ${everyLook / studies} (> alpha)`,
  );
});

test('a margin keeps configurations that trail by less than it, and prunes those that trail by more', () => {
  const margin = racingSpecSchema.parse({ enabled: true, test: 'anytime-t', margin: 0.01 });
  const inc = [0.9, 0.88, 0.91, 0.87, 0.9];
  for (const [gap, pruned] of [
    [0.005, false],
    [0.03, true],
  ] as const) {
    for (const direction of ['maximize', 'minimize'] as const) {
      const sign = direction === 'maximize' ? 1 : -1;
      const r = createRacer(margin, { nFolds: 5, direction });
      feed(
        r,
        0,
        inc.map((x) => sign * x),
      );
      const d = feed(
        r,
        1,
        inc.map((x, i) => sign * (x - gap + 0.0002 * i)),
      );
      assert.equal(d.length > 0, pruned, `${direction}: trailing by ${gap}`);
      if (pruned) assert.equal(d[0]!.evidence.margin, 0.01);
    }
  }
});

/** Standard normal deviates from a seeded 32-bit generator (Box–Muller). */
function mulberry(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

test('a fold that leaves its configuration with fewer than minFolds folds decides nothing and moves no incumbent, so a trial may report its first minFolds folds together', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          trial: fc.integer({ min: 0, max: 5 }),
          fold: fc.integer({ min: 0, max: 4 }),
          score: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        { maxLength: 60 },
      ),
      fc.constantFrom('corrected-t', 'wilcoxon', 'anytime-t'),
      (events, kind) => {
        const racer = createRacer(racingSpecSchema.parse({ enabled: true, test: kind, minFolds: 3 }), {
          nFolds: 5,
          direction: 'maximize',
        });
        const seen = new Map<number, Set<number>>();
        for (const e of events) {
          const folds = seen.get(e.trial) ?? new Set<number>();
          folds.add(e.fold);
          seen.set(e.trial, folds);
          const before = racer.incumbent();
          const decisions = racer.onFoldResult(e.trial, e.fold, e.score);
          assert.equal(racer.hasResult(e.trial, e.fold), true);
          if (folds.size < 3) {
            assert.deepEqual(decisions, []);
            assert.equal(racer.incumbent(), before);
          }
        }
      },
    ),
    { seed: 20261207, numRuns: 300 },
  );
});
