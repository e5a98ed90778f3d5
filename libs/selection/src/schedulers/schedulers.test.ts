import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { schedulerSpecSchema } from '@foldwise/spec';
import { bracketCount, createScheduler, hyperbandBracket } from './schedulers';

const asha = (direction: 'maximize' | 'minimize' = 'maximize', eta = 3) =>
  schedulerSpecSchema.parse({
    kind: 'asha',
    minResource: 1,
    maxResource: 27,
    reductionFactor: eta,
    direction,
  });

test('ASHA rungs grow by the reduction factor and end at maxResource', () => {
  const s = createScheduler(asha());
  assert.deepEqual(s.rungs(0), [1, 3, 9, 27]);
  assert.deepEqual(
    createScheduler(
      schedulerSpecSchema.parse({ kind: 'asha', minResource: 2, maxResource: 20, reductionFactor: 3 }),
    ).rungs(4),
    [2, 6, 18, 20],
  );
});

test('ASHA always promotes the best trial of a rung: all of a worst-first stream, only the first of a best-first one', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 3, maxLength: 60 }),
      fc.integer({ min: 2, max: 4 }),
      fc.constantFrom('maximize' as const, 'minimize' as const),
      (scores, eta, direction) => {
        const sign = direction === 'maximize' ? 1 : -1;
        const order = scores
          .map((_, i) => i)
          .sort((a, b) => sign * ((scores[a] as number) - (scores[b] as number)));
        const s = createScheduler(asha(direction, eta));
        const decisions = new Map<number, string>();
        for (const t of order) decisions.set(t, s.report(t, 1, scores[t] as number));
        const n = scores.length;
        const ranked = [...order].reverse();
        // Worst-first arrival: the trial arriving m-th is the best of m, so it always continues.
        for (const t of ranked) assert.equal(decisions.get(t), 'continue');
        // Best-first arrival: the m-th arrival is the m-th best; it continues iff m <= max(1, floor(m / η)).
        const s2 = createScheduler(asha(direction, eta));
        const kept = ranked.filter((t) => s2.report(t, 1, scores[t] as number) === 'continue');
        assert.deepEqual(kept, ranked.slice(0, 1));
        // Any arrival order: the best trial of the rung always continues, the worst continues only if it came first.
        const shuffled = [...scores.keys()].sort((a, b) => ((a * 7919 + n) % 101) - ((b * 7919 + n) % 101));
        const s3 = createScheduler(asha(direction, eta));
        const dec3 = new Map(shuffled.map((t) => [t, s3.report(t, 1, scores[t] as number)]));
        assert.equal(dec3.get(ranked[0] as number), 'continue');
        if (shuffled[0] !== ranked[n - 1]) assert.equal(dec3.get(ranked[n - 1] as number), 'stop');
      },
    ),
  );
});

test('a trial continues at a rung iff it ranks within the best max(1, floor(n / η)) scores recorded there so far', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 2, max: 4 }),
      (scores, eta) => {
        const s = createScheduler(asha('maximize', eta));
        const seen: number[] = [];
        scores.forEach((y, t) => {
          seen.push(y);
          const k = Math.max(1, Math.floor(seen.length / eta));
          const kth = [...seen].sort((a, b) => b - a)[k - 1] as number;
          assert.equal(s.report(t, 1, y), y >= kth ? 'continue' : 'stop', `trial ${t}`);
        });
      },
    ),
  );
});

test('over many trials in random order, the fraction promoted at a rung approaches 1/η', () => {
  const s = createScheduler(asha('minimize', 3));
  let kept = 0;
  const n = 3000;
  for (let t = 0; t < n; t++) {
    const y = Math.sin(t * 12.9898) * 43758.5453;
    if (s.report(t, 1, y - Math.floor(y)) === 'continue') kept++;
  }
  assert.ok(kept / n > 0.3 && kept / n < 0.4, `promoted fraction ${kept / n}`);
});

test('a stopped trial stays stopped, and reports at maxResource or off the rungs always continue', () => {
  const s = createScheduler(asha());
  assert.equal(s.report(0, 1, 10), 'continue');
  assert.equal(s.report(1, 1, 1), 'stop');
  assert.equal(s.report(1, 3, 100), 'stop');
  assert.equal(s.report(0, 2, -5), 'continue');
  assert.equal(s.report(0, 27, -5), 'continue');
});

test('a repeated report at the same rung returns the first decision, whatever arrived in between', () => {
  const s = createScheduler(asha('maximize', 2));
  assert.equal(s.report(0, 1, 0.5), 'continue');
  assert.equal(s.report(1, 1, 0.9), 'continue');
  assert.equal(s.report(2, 1, 0.8), 'stop');
  assert.equal(s.report(0, 1, 0.5), 'continue');
  assert.equal(s.report(2, 1, 0.99), 'stop');
  assert.deepEqual(s.state().scores['0']?.['1'], { '0': 0.5, '1': 0.9, '2': 0.8 });
});

test('a scheduler restored from its JSON state decides like the original', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.integer({ min: 0, max: 9 }),
          fc.constantFrom(1, 3, 9),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
        { maxLength: 40 },
      ),
      fc.nat(40),
      (reports, cut) => {
        const spec = schedulerSpecSchema.parse({ kind: 'hyperband', minResource: 1, maxResource: 27 });
        const a = createScheduler(spec);
        reports.slice(0, cut).forEach(([t, e, y]) => a.report(t, e, y));
        const b = createScheduler(spec, JSON.parse(JSON.stringify(a.state())));
        for (const [t, e, y] of reports.slice(cut)) assert.equal(b.report(t, e, y), a.report(t, e, y));
      },
    ),
  );
});

test('hyperband assigns trials to brackets deterministically, in proportion to the bracket sizes', () => {
  assert.equal(bracketCount(1, 27, 3), 4);
  const counts = [0, 0, 0, 0];
  for (let t = 0; t < 4 * 46; t++) counts[hyperbandBracket(t, 1, 27, 3)]! += 1;
  // Bracket sizes ⌈4/(4−s)·3^(3−s)⌉ for s = 0..3: 27, 12, 6, 4 (sum 49); 184 trials = 3 full cycles + 37.
  const perCycle = [27, 12, 6, 4];
  counts.forEach((c, s) =>
    assert.ok(Math.abs(c - (perCycle[s] as number) * (184 / 49)) <= 3, `bracket ${s}: ${c}`),
  );
  const s = createScheduler(
    schedulerSpecSchema.parse({ kind: 'hyperband', minResource: 1, maxResource: 27 }),
  );
  for (let t = 0; t < 49; t++) {
    const b = hyperbandBracket(t, 1, 27, 3);
    assert.deepEqual(s.rungs(t), [1, 3, 9, 27].slice(b));
  }
});

test('hyperband trials compete only within their bracket', () => {
  const s = createScheduler(
    schedulerSpecSchema.parse({ kind: 'hyperband', minResource: 1, maxResource: 9, reductionFactor: 3 }),
  );
  const inBracket0 = [...Array(30).keys()].filter((t) => hyperbandBracket(t, 1, 9, 3) === 0);
  const inBracket1 = [...Array(30).keys()].filter((t) => hyperbandBracket(t, 1, 9, 3) === 1);
  assert.equal(s.report(inBracket0[0] as number, 3, 100), 'continue');
  assert.equal(
    s.report(inBracket1[0] as number, 3, 1),
    'continue',
    'first report in its own bracket at epoch 3',
  );
});

test('median stopping waits for warm-up and minTrials, then stops trials worse than the median of the others', () => {
  const s = createScheduler(
    schedulerSpecSchema.parse({
      kind: 'median',
      maxResource: 10,
      warmupEpochs: 2,
      minTrials: 3,
      direction: 'minimize',
    }),
  );
  assert.deepEqual(s.rungs(0), [3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(s.report(0, 2, 99), 'continue', 'inside warm-up');
  for (const [t, y] of [
    [0, 1],
    [1, 2],
    [2, 3],
  ] as const)
    assert.equal(s.report(t, 3, y), 'continue', `only ${t} others`);
  assert.equal(s.report(3, 3, 2.5), 'stop', 'median of 1, 2, 3 is 2');
  assert.equal(s.report(4, 3, 2), 'continue', 'equal to the median of 1, 2, 3, 2.5');
});

test('the none scheduler never stops and has one rung when maxResource is given', () => {
  const s = createScheduler(schedulerSpecSchema.parse({ kind: 'none', maxResource: 5 }));
  assert.deepEqual(s.rungs(3), [5]);
  assert.equal(s.report(0, 5, -1e9), 'continue');
  assert.deepEqual(createScheduler(schedulerSpecSchema.parse({ kind: 'none' })).rungs(0), []);
});
