import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, ChartId } from './build';
import { cdCliques, rankedTrials } from './charts';
import { paramImportance } from './importance';
import { syntheticReportData } from './synthetic';

const sectionOf = (html: string, id: string): string => {
  const start = html.indexOf(`data-chart="${id}"`);
  assert.ok(start >= 0, `section ${id} is missing`);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
};

test('every chart section of a report holds an inline SVG with drawn marks', async () => {
  const html = await buildReport(syntheticReportData());
  for (const id of Object.values(ChartId)) {
    const sec = sectionOf(html, id);
    const svg = /<svg[\s\S]*<\/svg>/.exec(sec)?.[0];
    assert.ok(svg, `section ${id} has no <svg>`);
    assert.match(svg, /<path[^>]+d="M/, `section ${id}'s SVG draws no path`);
    assert.doesNotMatch(sec, /Not available/, `section ${id} says it is not available`);
  }
  assert.doesNotMatch(
    html,
    /<script|https?:\/\/(?!www\.w3\.org)/,
    'the report loads scripts or refers to the network',
  );
});

test('the leaderboard table lists every trial once, completed ones best first, with their mean and interval', async () => {
  const data = syntheticReportData();
  const html = await buildReport(data);
  const ids = [...html.matchAll(/<tr data-trial-id="([^"]+)"/g)].map((m) => m[1]);
  const ranked = rankedTrials(data).map((t) => t.trialId);
  const rest = data.trials.filter((t) => !ranked.includes(t.trialId)).map((t) => t.trialId);
  assert.deepEqual(ids, [...ranked, ...rest]);
  const best = data.trials.find((t) => t.trialId === data.comparison?.winner);
  const s = best?.metrics['accuracy'];
  assert.ok(s?.ci95);
  const row =
    new RegExp(`<tr data-trial-id="${data.comparison?.winner}" class="winner">(.*?)</tr>`).exec(html)?.[1] ??
    '';
  assert.ok(row.includes(s.mean.toFixed(4)), 'the winner row shows its mean');
  assert.ok(
    row.includes(`[${s.ci95[0].toFixed(4)}, ${s.ci95[1].toFixed(4)}]`),
    'the winner row shows its interval',
  );
  const pair = data.comparison?.pairwise[0];
  assert.ok(pair?.correctedT && pair.bayesian);
  const other = new RegExp(`<tr data-trial-id="${pair.b}">(.*?)</tr>`).exec(html)?.[1] ?? '';
  assert.ok(
    other.includes(`<td>${pair.correctedT.pHolm.toFixed(4)}</td>`),
    'Holm-adjusted p of the corrected t-test is shown',
  );
  const b = pair.bayesian;
  assert.ok(
    other.includes(`<td>${[b.pA, b.pRope, b.pB].map((p) => p.toFixed(3)).join(' · ')}</td>`),
    'the Bayesian probabilities are shown',
  );
});

test('the summary names the dataset, the cross-validation, the budget, the winner and the verdict', async () => {
  const data = syntheticReportData();
  const html = await buildReport(data);
  const summary = /<dl class="summary">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? '';
  assert.match(summary, /built-in iris/);
  assert.match(summary, /stratified, 5 folds/);
  assert.match(summary, /budget 9 trials/);
  assert.ok(summary.includes(`#${rankedTrials(data)[0]?.trialIndex}`));
  assert.ok(summary.includes('has the best mean'));
});

test('text from the data is escaped, so a hostile model name cannot inject markup', async () => {
  const data = syntheticReportData();
  const first = data.trials[0];
  assert.ok(first);
  first.params = { ...first.params, note: '<script>alert(1)</script>' };
  const html = await buildReport(data);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /&lt;script&gt;alert/);
});

test('a report without comparison or confusion matrices says which charts are not available instead of failing', async () => {
  const data = syntheticReportData();
  delete data.comparison;
  for (const f of data.folds) delete f.confusionMatrix;
  const html = await buildReport(data);
  assert.match(sectionOf(html, ChartId.CriticalDifference), /Not available/);
  assert.match(sectionOf(html, ChartId.Confusion), /Not available/);
  assert.match(sectionOf(html, ChartId.FoldScores), /<svg/);
});

test('a parameter that determines the score explains all its variance and an unrelated one explains none', () => {
  const obs = Array.from({ length: 24 }, (_, i) => ({
    score: i % 3,
    params: { depth: i % 3, seedish: Math.floor(i / 3) % 2 },
  }));
  const imp = paramImportance(obs);
  const depth = imp.find((r) => r.param === 'depth');
  const other = imp.find((r) => r.param === 'seedish');
  assert.equal(depth?.etaSquared, 1);
  assert.equal(depth?.epsilonSquared, 1);
  assert.ok(
    other && other.epsilonSquared === 0 && other.etaSquared < 0.01,
    `unrelated parameter got ${JSON.stringify(other)}`,
  );
  assert.equal(imp[0]?.param, 'depth');
});

test('numeric parameters with many values are cut into quantile bins before the variance is split', () => {
  const obs = Array.from({ length: 40 }, (_, i) => ({
    score: i < 20 ? 0 : 1,
    params: { lr: 0.001 * (i + 1) },
  }));
  const [lr] = paramImportance(obs);
  assert.equal(lr?.binned, true);
  assert.equal(lr?.groups, 4);
  assert.equal(lr?.etaSquared, 1);
});

test('critical-difference cliques join exactly the candidates closer than the critical difference', () => {
  assert.deepEqual(cdCliques([1, 1.5, 3, 3.2, 5], 1), [
    [1, 1.5],
    [3, 3.2],
  ]);
  assert.deepEqual(cdCliques([1, 2, 3], 5), [[1, 3]]);
  assert.deepEqual(cdCliques([1, 3, 5], 1), []);
});

test('parameters a model family fixes in the spec are listed once in the summary, not in every row', async () => {
  const data = syntheticReportData();
  const logistic = data.spec.models.find((m) => m.family === 'logistic');
  assert.ok(logistic);
  logistic.params = { epochs: 20 };
  for (const t of data.trials) if (t.model === 'logistic') t.params = { ...t.params, epochs: 20 };
  const html = await buildReport(data);
  const table = /<table id="leaderboard">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  assert.doesNotMatch(table, /epochs=20/);
  assert.match(table, /learningRate=/);
  assert.match(/<dl class="summary">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? '', /logistic \(fixed: epochs=20\)/);
});

test('the report names how intervals were computed, and no interval of a bounded metric leaves [0, 1]', async () => {
  let plainWouldLeave = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const data = syntheticReportData({ seed, lift: seed % 2 === 0 ? 0.05 : 0 });
    const html = await buildReport(data);
    assert.match(html, /Nadeau–Bengio corrected t interval formed on the logit scale/);
    for (const m of html.matchAll(/\[(-?\d+\.\d+), (-?\d+\.\d+)\]/g)) {
      const lo = Number(m[1]);
      const hi = Number(m[2]);
      assert.ok(lo >= 0 && hi <= 1 && lo <= hi, `seed ${seed}: interval [${lo}, ${hi}] leaves [0, 1]`);
    }
    for (const t of data.trials) {
      const s = t.metrics['accuracy'];
      if (s?.std && s.mean + 2.776 * s.std * Math.sqrt(1 / 5 + 0.25) > 1) plainWouldLeave++;
    }
  }
  assert.ok(plainWouldLeave > 0, 'some trial here has a plain corrected t interval above 1');
});

test('the report lists the best configuration of every family and how it compares with the winner’s', async () => {
  const data = syntheticReportData();
  const html = await buildReport(data);
  const rows = [...html.matchAll(/<tr data-family="([^"]+)">(.*?)<\/tr>/g)];
  assert.deepEqual(
    rows.map((r) => r[1]),
    ['logistic', 'mlp'],
  );
  for (const f of data.comparison!.families!) {
    const row = rows.find((r) => r[1] === f.model)![2]!;
    assert.ok(row.includes(f.trialId!), `${f.model} names its best configuration`);
    assert.ok(row.includes(f.vsWinner ? f.vsWinner.meanDiff.toFixed(4) : 'winner'));
  }
  assert.match(html, /Holm-adjusted across every pair of the compared configurations/);
});

test('repeats on demand: the summary says how many repeats the verdict needed, the leaderboard each candidate’s', async () => {
  const data = syntheticReportData();
  const [w, r] = rankedTrials(data);
  assert.ok(w && r && data.comparison);
  data.spec = { ...data.spec, cv: { ...data.spec.cv, repeats: { auto: true, max: 4 } } };
  w.folds = 15;
  r.folds = 15;
  data.comparison = {
    ...data.comparison,
    repeats: {
      k: 5,
      max: 4,
      rounds: [
        { repeat: 2, trials: [w.trialId, r.trialId] },
        { repeat: 3, trials: [w.trialId, r.trialId] },
      ],
      perCandidate: { [w.trialId]: 3, [r.trialId]: 3 },
      decided: true,
    },
  };
  const html = await buildReport(data);
  const summary = /<dl class="summary">([\s\S]*?)<\/dl>/.exec(html)?.[1] ?? '';
  assert.match(summary, /repeated on demand \(at most 4 repeats\)/);
  assert.match(summary, /verdict decided with 3 of at most 4 repeats of 5 folds/);
  assert.match(summary, /repeat 2: 2 candidates; repeat 3: 2 candidates/);
  const row = new RegExp(`<tr data-trial-id="${r.trialId}">(.*?)</tr>`).exec(html)?.[1] ?? '';
  assert.ok(row.includes('<td>15 (3 repeats)</td>'), row);
});
