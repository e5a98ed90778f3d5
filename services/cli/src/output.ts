import { describeIntervalMethod } from '@foldwise/compare';
import type { ComparisonResult, SearchResult, TrialSummary } from '@foldwise/spec';
import type { LeaderboardEntry } from '@foldwise/sdk';
import { formatParams } from './report/charts';

/** One leaderboard row of the `--json` result. */
export interface JsonLeaderboardRow {
  trialId: string;
  trialIndex: number;
  model: string;
  params: Record<string, unknown>;
  status: string;
  /** Folds completed. */
  folds: number;
  /** Primary score per fold (null where the fold did not run); absent for rows read from MongoDB. */
  foldScores?: (number | null)[];
  /** `ciMethod` names how `ci95` was computed (see `IntervalMethod` in `@foldwise/compare`). */
  metrics: Record<
    string,
    { mean: number; std: number | null; ci95: [number, number] | null; ciMethod?: string | undefined }
  >;
}

/** The single JSON document that `--json` prints for a finished search. */
export interface JsonResult {
  searchId: string;
  status: SearchResult['status'];
  best: SearchResult['best'] | null;
  leaderboard: JsonLeaderboardRow[];
  comparison: ComparisonResult | null;
  /** Multi-objective searches: the Pareto front (and the other feasible configurations), front first. */
  pareto?: NonNullable<SearchResult['pareto']>;
  counts: SearchResult['counts'];
  refit: SearchResult['refit'] | null;
}

const row = (t: TrialSummary): JsonLeaderboardRow => ({
  trialId: t.trialId,
  trialIndex: t.trialIndex,
  model: t.model,
  params: t.params,
  status: t.status,
  folds: t.foldScores.filter((s) => s !== null).length,
  foldScores: t.foldScores,
  metrics: Object.fromEntries(
    Object.entries(t.metrics).map(([k, v]) => [
      k,
      { mean: v.mean, std: v.std, ci95: v.ci95, ...(v.ciMethod ? { ciMethod: v.ciMethod } : {}) },
    ]),
  ),
});

/** Shapes a search result as the documented `--json` document. */
export function resultJson(r: SearchResult): JsonResult {
  return {
    searchId: r.searchId,
    status: r.status,
    best: r.best ?? null,
    leaderboard: r.leaderboard.map(row),
    comparison: r.comparison ?? null,
    ...(r.pareto ? { pareto: r.pareto } : {}),
    counts: r.counts,
    refit: r.refit ?? null,
  };
}

const f4 = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(4);
const p4 = (v: number | undefined): string =>
  v === undefined ? '–' : v < 1e-4 ? v.toExponential(1) : v.toFixed(4);

/** Renders rows as an aligned text table. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A leaderboard as text, best first; `metric` is the primary metric. */
export function formatLeaderboard(rows: (LeaderboardEntry | JsonLeaderboardRow)[], metric: string): string {
  if (rows.length === 0) return 'no trials yet';
  const methods = [
    ...new Set(
      rows.flatMap((r) => {
        const s = r.metrics[metric] as { ci95: unknown; ciMethod?: string } | undefined;
        return s?.ci95 ? [s.ciMethod] : [];
      }),
    ),
  ];
  const note = methods.length > 0 ? `\n95% CI: ${methods.map(describeIntervalMethod).join('; ')}` : '';
  return (
    table(
      ['#', 'trial', 'model', 'status', 'folds', `${metric} mean ± std`, '95% CI', 'parameters'],
      rows.map((r, i) => {
        const s = r.metrics[metric];
        return [
          String(i + 1),
          String(r.trialIndex),
          r.model,
          r.status,
          String(r.folds),
          s ? `${f4(s.mean)} ± ${f4(s.std)}` : '–',
          s?.ci95 ? `[${f4(s.ci95[0])}, ${f4(s.ci95[1])}]` : '–',
          formatParams(r.params),
        ];
      }),
    ) + note
  );
}

/** A comparison as text: candidates, tests against the best, Friedman, verdict. */
export function formatComparison(c: ComparisonResult): string {
  const cand = table(
    ['trial', 'model', `${c.metric} mean`, '95% CI', 'avg rank'],
    c.candidates.map((x, i) => [
      x.trialId,
      x.model,
      f4(x.mean),
      `[${f4(x.ci95[0])}, ${f4(x.ci95[1])}]`,
      f4(c.friedman?.averageRanks[i]),
    ]),
  );
  const pairs = table(
    [
      'best',
      'vs',
      'best ahead by',
      'corrected t pHolm',
      'Wilcoxon pHolm',
      'P(best better)',
      'P(equivalent)',
      'P(other better)',
    ],
    c.pairwise.map((p) => [
      p.a,
      p.b,
      f4(p.meanDiff),
      p4(p.correctedT?.pHolm),
      p4(p.wilcoxon?.pHolm),
      f4(p.bayesian?.pA),
      f4(p.bayesian?.pRope),
      f4(p.bayesian?.pB),
    ]),
  );
  const fr = c.friedman
    ? `friedman: statistic ${c.friedman.statistic.toFixed(3)}, p ${p4(c.friedman.pValue)}, critical difference ${c.friedman.criticalDifference.toFixed(3)} ranks`
    : 'friedman: not computed';
  const families = c.families
    ? table(
        [
          'family',
          'best trial',
          `${c.metric} mean`,
          '95% CI',
          'complete',
          'winner ahead by',
          'corrected t pHolm',
        ],
        c.families.map((f) => [
          f.model,
          f.trialId ?? 'none',
          f4(f.mean),
          f.ci95 ? `[${f4(f.ci95[0])}, ${f4(f.ci95[1])}]` : '–',
          String(f.candidates),
          f.vsWinner ? f4(f.vsWinner.meanDiff) : f.trialId === null ? '–' : 'winner',
          p4(f.vsWinner?.correctedT?.pHolm),
        ]),
      )
    : undefined;
  const holm =
    c.holm === 'all-pairs'
      ? 'Holm: over every pair of the compared candidates'
      : 'Holm: over the comparisons with the best';
  const ci = `95% CI: ${describeIntervalMethod(c.candidates[0]?.ciMethod)}`;
  return [
    cand,
    ci,
    '',
    pairs,
    holm,
    '',
    ...(families ? [families, ''] : []),
    fr,
    `verdict: ${c.verdict}`,
  ].join('\n');
}
