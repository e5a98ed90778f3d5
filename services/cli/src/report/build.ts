import { describeIntervalMethod } from '@foldwise/compare';
import type { ComparisonResult } from '@foldwise/spec';
import {
  cdDiagramChart,
  confusionChart,
  foldScoresChart,
  formatNumber,
  formatParams,
  importanceChart,
  paretoChart,
  learningCurvesChart,
  paramAxes,
  paramScatterChart,
  rankedTrials,
  scoresChart,
  trialLabel,
  type VegaLiteSpec,
} from './charts';
import type { ReportData, ReportTrial } from './data';
import { paramImportance } from './importance';
import { renderSvg } from './render';

/** Ids of the report's chart sections, in page order; each is a `<section data-chart="…">` holding one inline SVG. */
export const ChartId = {
  Scores: 'scores',
  FoldScores: 'fold-scores',
  CriticalDifference: 'critical-difference',
  LearningCurves: 'learning-curves',
  Hyperparameters: 'hyperparameters',
  Importance: 'importance',
  Confusion: 'confusion-matrix',
  Pareto: 'pareto',
} as const;
/** One of the values of {@link ChartId}. */
export type ChartId = (typeof ChartId)[keyof typeof ChartId];

/** Most configurations drawn in the per-fold strip plot and the learning curves. */
export const MAX_STRIP_TRIALS = 25;
/** Most configurations whose learning curves are drawn. */
export const MAX_CURVE_TRIALS = 6;

const esc = (s: unknown): string =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const num = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
const pval = (p: number | undefined): string =>
  p === undefined ? '–' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4);

interface Section {
  id: ChartId;
  title: string;
  caption: string;
  spec?: VegaLiteSpec | undefined;
  missing?: string | undefined;
}

function datasetText(data: ReportData): string {
  const ds = data.spec.dataset;
  const what =
    'builtin' in ds
      ? `built-in ${ds.builtin}${ds.subset !== undefined ? ` (subset of ${ds.subset})` : ''}`
      : 'path' in ds
        ? `file ${ds.path}`
        : `staged ${ds.filename ?? ds.sha256.slice(0, 12)}`;
  const n = data.nSamples !== undefined ? `, ${data.nSamples} samples in cross-validation` : '';
  const held = data.nHeldOut ? `, ${data.nHeldOut} held out for the final test` : '';
  return `${what}${n}${held}`;
}

function cvText(data: ReportData): string {
  const cv = data.spec.cv;
  const folds =
    typeof cv.repeats === 'object'
      ? `${cv.k} folds, repeated on demand (at most ${cv.repeats.max} repeats)`
      : cv.kind.startsWith('repeated')
        ? `${cv.k} folds × ${cv.repeats} repeats`
        : cv.kind === 'shuffle-split'
          ? `${cv.k} splits (test size ${cv.testSize})`
          : `${cv.k} folds`;
  return `${cv.kind}, ${folds}${cv.shuffle ? ', shuffled' : ''}${cv.holdout !== undefined ? `, hold-out ${cv.holdout}` : ''}, seed ${data.spec.seed}`;
}

function winnerOf(data: ReportData, ranked: ReportTrial[]): ReportTrial | undefined {
  const id = data.comparison?.winner ?? data.best?.trialId ?? ranked[0]?.trialId;
  return data.trials.find((t) => t.trialId === id);
}

function summary(data: ReportData, ranked: ReportTrial[]): string {
  const s = data.spec;
  const m = data.primary.name;
  const winner = winnerOf(data, ranked);
  const ws = winner?.metrics[m];
  const counts = (['completed', 'pruned', 'failed', 'cancelled', 'running'] as const)
    .map((st) => [st, data.trials.filter((t) => t.status === st).length] as const)
    .filter(([, n]) => n > 0)
    .map(([st, n]) => `${n} ${st}`)
    .join(', ');
  const rows: [string, string][] = [
    ['search', `${data.searchId} (${data.status})`],
    ['dataset', datasetText(data)],
    ['task', s.task ?? (data.task ? `${data.task} (inferred from the data)` : 'inferred from the data')],
    ['cross-validation', cvText(data)],
    [
      'metrics',
      `primary ${m} (${data.primary.greaterIsBetter ? 'greater' : 'smaller'} is better)${s.metrics.report.length ? `; also ${s.metrics.report.join(', ')}` : ''}`,
    ],
    [
      'models',
      s.models
        .map((x) =>
          Object.keys(x.params).length ? `${x.family} (fixed: ${formatParams(x.params)})` : x.family,
        )
        .join('; '),
    ],
    [
      'search strategy',
      `${s.strategy.kind}; budget ${s.budget.trials} trials, ${s.budget.parallelism} in parallel; scheduler ${s.scheduler.kind}; racing ${s.racing.enabled ? 'on' : 'off'}`,
    ],
    [
      'trials',
      `${data.trials.length} (${counts || 'none'}); ${data.folds.filter((f) => f.status === 'completed').length} folds completed`,
    ],
    [
      'winner',
      winner
        ? `${trialLabel(winner)}: ${m} ${num(ws?.mean)}${ws?.ci95 ? ` [${num(ws.ci95[0])}, ${num(ws.ci95[1])}]` : ''} with ${formatParams(winner.params) || 'default parameters'}`
        : 'none (no trial completed)',
    ],
    ['verdict', data.comparison?.verdict ?? 'no comparison was made'],
  ];
  const rep = data.comparison?.repeats;
  if (rep) {
    const per = Object.entries(rep.perCandidate)
      .map(([id, n]) => `${trialLabelOf(data, id)} ${n}`)
      .join(', ');
    const rounds = rep.rounds.map((r) => `repeat ${r.repeat}: ${r.trials.length} candidates`).join('; ');
    rows.push([
      'repeats on demand',
      `${rep.decided ? 'verdict decided' : 'verdict still undecided'} with ${Math.max(1, ...Object.values(rep.perCandidate))} of at most ${rep.max} repeats of ${rep.k} folds; repeats per top candidate: ${per}${rounds ? `; ${rounds}` : ''}`,
    ]);
  }
  if (data.refit?.testMetrics) {
    const tm = Object.entries(data.refit.testMetrics)
      .map(([k, v]) => `${k} ${num(v)}`)
      .join(', ');
    rows.push([
      'held-out test',
      `refit on all training data${data.refit.nTrain ? ` (${data.refit.nTrain} samples)` : ''}, tested once${data.refit.nTest ? ` on ${data.refit.nTest}` : ''}: ${tm}`,
    ]);
  }
  return `<dl class="summary">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/** A trial's parameters without those its model family fixes in the spec (shown once in the summary). */
function searchedParams(data: ReportData, t: ReportTrial): Record<string, unknown> {
  const fixed = data.spec.models.find((m) => m.family === t.model)?.params ?? {};
  return Object.fromEntries(
    Object.entries(t.params).filter(
      ([k, v]) => !(k in fixed) || JSON.stringify(fixed[k]) !== JSON.stringify(v),
    ),
  );
}

/** Repeats of k folds a top candidate's scores cover under repeats on demand (1 otherwise). */
function repeatsOf(data: ReportData, t: ReportTrial): number {
  return data.comparison?.repeats?.perCandidate[t.trialId] ?? 1;
}

/** A trial's label by its id (the id itself when the report has no such trial). */
function trialLabelOf(data: ReportData, trialId: string): string {
  const t = data.trials.find((x) => x.trialId === trialId);
  return t ? trialLabel(t) : trialId;
}

function pairFor(
  comparison: ComparisonResult | undefined,
  trialId: string,
): ComparisonResult['pairwise'][number] | undefined {
  return comparison?.pairwise.find((p) => p.b === trialId);
}

function leaderboardTable(data: ReportData, ranked: ReportTrial[]): string {
  const m = data.primary.name;
  const others = [...new Set(data.trials.flatMap((t) => Object.keys(t.metrics)))]
    .filter((k) => k !== m)
    .sort();
  const rest = data.trials.filter((t) => !ranked.includes(t)).sort((a, b) => a.trialIndex - b.trialIndex);
  const winner = data.comparison?.winner;
  const head = [
    '#',
    'trial',
    'model',
    'parameters',
    'status',
    'folds',
    `${m} mean ± std`,
    `${m} 95% CI`,
    ...others.map((o) => `${o} mean`),
    'winner ahead by',
    'corrected t p<sub>Holm</sub>',
    'Wilcoxon p<sub>Holm</sub>',
    'Bayesian P(winner better · equivalent · this better)',
  ];
  const body = [...ranked, ...rest].map((t, i) => {
    const s = t.metrics[m];
    const pair = pairFor(data.comparison, t.trialId);
    const isWinner = t.trialId === winner;
    const cells = [
      ranked.includes(t) ? String(i + 1) : '–',
      esc(trialLabel(t)),
      esc(t.model),
      `<code>${esc(formatParams(searchedParams(data, t)) || '(fixed parameters only)')}</code>`,
      esc(t.status),
      repeatsOf(data, t) > 1 ? `${t.folds} (${repeatsOf(data, t)} repeats)` : String(t.folds),
      s ? `${num(s.mean)} ± ${num(s.std)}` : '–',
      s?.ci95 ? `[${num(s.ci95[0])}, ${num(s.ci95[1])}]` : '–',
      ...others.map((o) => num(t.metrics[o]?.mean)),
      isWinner ? 'winner' : pair ? num(pair.meanDiff) : '–',
      pval(pair?.correctedT?.pHolm),
      pval(pair?.wilcoxon?.pHolm),
      pair?.bayesian
        ? [pair.bayesian.pA, pair.bayesian.pRope, pair.bayesian.pB].map((p) => num(p, 3)).join(' · ')
        : '–',
    ];
    return `<tr data-trial-id="${esc(t.trialId)}"${isWinner ? ' class="winner"' : ''}>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return (
    `<div class="table-wrap"><table id="leaderboard"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${body.join('')}</tbody></table></div>`
  );
}

/** How the primary metric's intervals were computed, as a sentence fragment (the method of the winner's, else the first trial's). */
function intervalMethodText(data: ReportData, ranked: ReportTrial[]): string {
  const m = data.primary.name;
  const methods = [...new Set(ranked.filter((t) => t.metrics[m]?.ci95).map((t) => t.metrics[m]?.ciMethod))];
  return methods.length === 0 ? 'none computed' : methods.map(describeIntervalMethod).join('; ');
}

function familiesTable(data: ReportData): string {
  const fams = data.comparison?.families;
  if (!fams || fams.length < 2) return '';
  const m = data.primary.name;
  const rows = fams.map((f) => {
    const v = f.vsWinner;
    const cells = [
      esc(f.model),
      f.trialId ? esc(f.trialId) : 'none completed every fold',
      String(f.candidates),
      num(f.mean),
      f.ci95 ? `[${num(f.ci95[0])}, ${num(f.ci95[1])}]` : '–',
      v ? num(v.meanDiff) : f.trialId ? 'winner' : '–',
      pval(v?.correctedT?.pHolm),
      pval(v?.wilcoxon?.pHolm),
      v?.bayesian ? [v.bayesian.pA, v.bayesian.pRope, v.bayesian.pB].map((p) => num(p, 3)).join(' · ') : '–',
    ];
    return `<tr data-family="${esc(f.model)}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  const head = [
    'family',
    'best configuration',
    'complete configurations',
    `${m} mean`,
    '95% CI',
    "winner's family ahead by",
    'corrected t p<sub>Holm</sub>',
    'Wilcoxon p<sub>Holm</sub>',
    'Bayesian P(winner better · equivalent · this better)',
  ];
  return (
    `<h3>Model families</h3><div class="table-wrap"><table id="families"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div>` +
    `<p class="note">The best configuration of every listed family, compared with the best of the winner's family on the shared folds (Holm-adjusted across the families).</p>`
  );
}

function comparisonNote(data: ReportData, ranked: ReportTrial[]): string {
  const intervals = `<p class="note">${esc(data.primary.name)} 95% intervals: ${esc(intervalMethodText(data, ranked))}.</p>`;
  const c = data.comparison;
  if (!c) return `${intervals}<p class="note">No end-of-search comparison is recorded for this search.</p>`;
  const fr = c.friedman
    ? ` Friedman test over the ${c.candidates.length} candidates: χ² = ${num(c.friedman.statistic, 2)}, p = ${pval(c.friedman.pValue)}; Nemenyi critical difference ${num(c.friedman.criticalDifference, 2)} ranks.`
    : '';
  const holm =
    c.holm === 'all-pairs'
      ? 'Holm-adjusted across every pair of the compared configurations (the winner is chosen as the best mean, so correcting only its own comparisons would call it better too often)'
      : 'Holm-adjusted across the comparisons with the winner';
  return (
    intervals +
    `<p class="note">The top ${c.candidates.length} configurations were compared on the same folds (a paired design). ` +
    `"Winner ahead by" is the winner's mean advantage over the candidate across the shared folds, oriented so that positive favours the winner. p-values are two-sided and ${holm}; ` +
    `the corrected resampled t-test (Nadeau &amp; Bengio) accounts for overlapping training sets. ` +
    `The Bayesian columns give the posterior probability that the winner is better, that the two are practically equivalent ` +
    `(within ±${esc(data.spec.comparison.rope)} of ${esc(c.metric)}), and that this configuration is better.${fr}</p>`
  );
}

function sections(data: ReportData, ranked: ReportTrial[]): Section[] {
  const m = data.primary.name;
  const strip = ranked.slice(0, MAX_STRIP_TRIALS);
  const curved = ranked
    .filter((t) =>
      data.folds.some((f) => f.trialId === t.trialId && f.curve.some((p) => p.valScore !== null)),
    )
    .slice(0, MAX_CURVE_TRIALS);
  const axes = paramAxes(ranked);
  const importance = paramImportance(
    ranked.map((t) => ({ score: t.metrics[m]?.mean ?? NaN, params: { model: t.model, ...t.params } })),
  );
  const winner = winnerOf(data, ranked);
  const matrices = data.folds
    .filter((f) => f.trialId === winner?.trialId && f.status === 'completed' && f.confusionMatrix)
    .map((f) => f.confusionMatrix as number[][]);
  const summed = matrices.length
    ? matrices.reduce((acc, mx) => acc.map((row, i) => row.map((v, j) => v + (mx[i]?.[j] ?? 0))))
    : undefined;
  const fr = data.comparison?.friedman;
  const objectives = data.spec.objectives ?? [];
  const pareto: Section[] =
    objectives.length >= 2
      ? [
          {
            id: ChartId.Pareto,
            title: `Pareto front: ${objectives.map((o) => o.metric).join(' against ')}`,
            caption:
              `Fold means of the first two objectives, one point per configuration that completed every fold and met the constraints; ` +
              `diamonds are on the Pareto front (no other configuration is as good on every objective and better on one), joined by the dashed line. ` +
              `Opacity is the probability of being non-dominated over bootstrap resamples of the shared folds.` +
              (objectives.length > 2
                ? ` Only the first two of ${objectives.length} objectives are drawn.`
                : ''),
            spec: data.pareto?.length ? paretoChart(data) : undefined,
            missing: 'no configuration completed every fold and met the constraints',
          },
        ]
      : [];
  return [
    ...pareto,
    {
      id: ChartId.Scores,
      title: `Mean ${m} with 95% confidence intervals`,
      caption: `One row per completed configuration, best first; the bar is the ${intervalMethodText(data, ranked)}.`,
      spec: ranked.length ? scoresChart(data, strip) : undefined,
      missing: 'no trial completed',
    },
    {
      id: ChartId.FoldScores,
      title: `${m} on every fold`,
      caption: `Each dot is one fold; the dark tick is the configuration's mean. Every configuration is scored on the same folds.${ranked.length > MAX_STRIP_TRIALS ? ` Top ${MAX_STRIP_TRIALS} shown.` : ''}`,
      spec: strip.length ? foldScoresChart(data, strip) : undefined,
      missing: 'no completed folds',
    },
    {
      id: ChartId.CriticalDifference,
      title: 'Critical-difference diagram',
      caption:
        'Average rank of each compared configuration across folds (Friedman). Configurations joined by a black bar are not significantly different (Nemenyi); the red bar is the critical difference.',
      spec: data.comparison && fr ? cdDiagramChart(data.comparison) : undefined,
      missing:
        'the comparison has no Friedman test (fewer than three candidates, or the test was not requested)',
    },
    {
      id: ChartId.LearningCurves,
      title: 'Learning curves',
      caption: `Validation score after every epoch, one line per fold, for the ${curved.length} best configurations that recorded curves.`,
      spec: curved.length ? learningCurvesChart(data, curved) : undefined,
      missing: 'no fold recorded a learning curve',
    },
    {
      id: ChartId.Hyperparameters,
      title: `Hyperparameters against mean ${m}`,
      caption:
        'One point per completed configuration; parameters spanning two or more decades are drawn on a log axis.',
      spec: axes.length ? paramScatterChart(data, ranked, axes) : undefined,
      missing: 'no parameter varied across at least three completed configurations',
    },
    {
      id: ChartId.Importance,
      title: 'Parameter importance',
      caption:
        `Fraction of the variance of the configurations' mean ${m} explained by each parameter (one-way ANOVA effect size), ` +
        `computed over the configurations that have the parameter (model family included as a parameter). ` +
        `Numbers with more than four distinct values are cut into up to four quantile bins. ` +
        `Bars show ε² = (SSB − (g−1)·MSW)/SST, which removes η²'s upward bias with few trials (clipped at 0); η² is printed beside. ` +
        `Parameters are judged one at a time, so interactions and correlated choices by the search strategy are not separated.`,
      spec: importance.length ? importanceChart(importance) : undefined,
      missing: 'fewer than three completed configurations share a varying parameter',
    },
    {
      id: ChartId.Confusion,
      title: `Confusion matrix of the winner${winner ? ` (${trialLabel(winner)})` : ''}`,
      caption: `Sum over the winner's ${matrices.length} validation folds: rows are actual classes, columns predicted.`,
      spec: summed ? confusionChart(summed, data.classes ?? []) : undefined,
      missing: 'the winner has no confusion matrices (a regression task, or no completed fold)',
    },
  ];
}

const css = `
body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#222;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 6px;border-bottom:1px solid #e3e5e8;padding-bottom:4px}
.sub{color:#666;margin:0 0 18px;font-size:13px}
dl.summary{display:grid;grid-template-columns:170px 1fr;gap:4px 14px;font-size:14px;margin:0}
dl.summary dt{font-weight:bold;color:#444}dl.summary dd{margin:0}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:12.5px;white-space:nowrap}
th,td{border-bottom:1px solid #e3e5e8;padding:4px 8px;text-align:right}
th{background:#f0f2f5;position:sticky;top:0;white-space:normal;vertical-align:bottom;max-width:150px}
td:nth-child(2),td:nth-child(3),td:nth-child(4),td:nth-child(5),th:nth-child(2),th:nth-child(3),th:nth-child(4),th:nth-child(5){text-align:left}
td code{font-size:11px;white-space:normal;display:inline-block;max-width:260px}
tr.winner td{background:#eef6ee;font-weight:bold}
.note,.caption{font-size:13px;color:#555;max-width:900px}.na{color:#a33;font-size:13px}
figure{margin:8px 0;overflow-x:auto}figure svg{max-width:100%;height:auto}
footer{margin-top:40px;font-size:12px;color:#888}
`;

/**
 * Builds the self-contained HTML report of a search: summary, leaderboard with confidence intervals and test
 * verdicts, and every chart rendered to inline SVG. Depends only on `data` (no I/O, no clock).
 *
 * @example
 * writeFileSync('report.html', await buildReport(data));
 */
export async function buildReport(data: ReportData): Promise<string> {
  const ranked = rankedTrials(data);
  const parts = sections(data, ranked);
  const rendered = await Promise.all(
    parts.map((p) => (p.spec ? renderSvg(p.spec) : Promise.resolve(undefined))),
  );
  const charts = parts
    .map((p, i) => {
      const svg = rendered[i];
      const body = svg
        ? `<figure>${svg}</figure>`
        : `<p class="na">Not available: ${esc(p.missing ?? 'no data')}.</p>`;
      return `<section class="chart" id="chart-${p.id}" data-chart="${p.id}"><h2>${esc(p.title)}</h2><p class="caption">${esc(p.caption)}</p>${body}</section>`;
    })
    .join('\n');
  const title = `foldwise report: ${data.spec.name}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${css}</style></head>
<body><main>
<h1>${esc(title)}</h1>
<p class="sub">${esc(data.spec.description ?? `${data.spec.models.map((x) => x.family).join(' vs ')} on ${datasetText(data)}`)}</p>
<section id="summary"><h2>Summary</h2>${summary(data, ranked)}</section>
<section id="leaderboard-section"><h2>Leaderboard</h2>${leaderboardTable(data, ranked)}${comparisonNote(data, ranked)}${familiesTable(data)}</section>
${charts}
<footer>Generated by foldwise at ${esc(data.generatedAt)} for search ${esc(data.searchId)}; ${esc(formatNumber(data.folds.length))} fold records. Charts are Vega-Lite, rendered to SVG when the report was built; the file needs no network.</footer>
</main></body></html>
`;
}
