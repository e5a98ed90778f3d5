import type { ComparisonResult } from '@foldwise/spec';
import type { ReportData, ReportTrial } from './data';
import type { ParamImportance } from './importance';

/** A Vega-Lite specification as plain JSON (compiled and validated by vega-lite when rendered). */
export type VegaLiteSpec = Record<string, unknown>;

const font = 'Helvetica, Arial, sans-serif';
const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white',
  padding: 8,
  config: {
    font,
    view: { stroke: '#ddd' },
    axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 240 },
    legend: { labelFontSize: 11, titleFontSize: 12 },
    header: { labelFontSize: 12, titleFontSize: 12 },
  },
};
const modelColor = { field: 'model', type: 'nominal', title: 'model', scale: { scheme: 'tableau10' } };

/** Short label of a trial: `#index model`. */
export const trialLabel = (t: { trialIndex: number; model: string }): string => `#${t.trialIndex} ${t.model}`;

/** Compact `k=v` rendering of a configuration's parameters. */
export function formatParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)}`)
    .join(', ');
}

/** A number with about four significant digits, exponent form for very small or large magnitudes. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

/** Completed trials with a primary mean, best first. */
export function rankedTrials(data: ReportData): ReportTrial[] {
  const m = data.primary.name;
  const sign = data.primary.greaterIsBetter ? -1 : 1;
  return data.trials
    .filter((t) => t.metrics[m] !== undefined)
    .sort(
      (a, b) => sign * ((a.metrics[m]?.mean ?? 0) - (b.metrics[m]?.mean ?? 0)) || a.trialIndex - b.trialIndex,
    );
}

/** Mean primary score with its 95 % interval per trial, best at the top. */
export function scoresChart(data: ReportData, trials: ReportTrial[]): VegaLiteSpec {
  const m = data.primary.name;
  const rows = trials.map((t) => {
    const s = t.metrics[m];
    return {
      label: trialLabel(t),
      model: t.model,
      mean: s?.mean,
      lo: s?.ci95?.[0] ?? s?.mean,
      hi: s?.ci95?.[1] ?? s?.mean,
    };
  });
  const y = { field: 'label', type: 'nominal', title: null, sort: rows.map((r) => r.label) };
  return {
    ...base,
    width: 560,
    height: { step: 22 },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y,
          x: { field: 'lo', type: 'quantitative', title: `${m} (mean, 95% CI)`, scale: { zero: false } },
          x2: { field: 'hi' },
          color: modelColor,
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { y, x: { field: 'mean', type: 'quantitative' }, color: modelColor },
      },
    ],
  };
}

/** Each configuration's primary score on every fold (strip plot) with a tick at the mean. */
export function foldScoresChart(data: ReportData, trials: ReportTrial[]): VegaLiteSpec {
  const m = data.primary.name;
  const ids = new Set(trials.map((t) => t.trialId));
  const label = new Map(trials.map((t) => [t.trialId, trialLabel(t)]));
  const rows = data.folds
    .filter((f) => ids.has(f.trialId) && f.status === 'completed' && f.metrics[m] !== undefined)
    .map((f) => ({ label: label.get(f.trialId), model: f.model, fold: f.fold, score: f.metrics[m] }));
  const means = trials.map((t) => ({ label: trialLabel(t), model: t.model, mean: t.metrics[m]?.mean }));
  const y = { field: 'label', type: 'nominal', title: null, sort: trials.map(trialLabel) };
  return {
    ...base,
    width: 560,
    height: { step: 22 },
    layer: [
      {
        data: { values: rows },
        mark: { type: 'circle', size: 50, opacity: 0.75 },
        encoding: {
          y,
          x: { field: 'score', type: 'quantitative', title: `${m} per fold`, scale: { zero: false } },
          color: modelColor,
          tooltip: [{ field: 'label' }, { field: 'fold' }, { field: 'score', format: '.4f' }],
        },
      },
      {
        data: { values: means },
        mark: { type: 'tick', color: '#333', thickness: 2, size: 16 },
        encoding: { y, x: { field: 'mean', type: 'quantitative' } },
      },
    ],
  };
}

/** Validation score per epoch of every fold, one panel per configuration. */
export function learningCurvesChart(data: ReportData, trials: ReportTrial[]): VegaLiteSpec {
  const ids = new Map(trials.map((t) => [t.trialId, trialLabel(t)]));
  const rows = data.folds
    .filter((f) => ids.has(f.trialId))
    .flatMap((f) =>
      f.curve
        .filter((p) => p.valScore !== null)
        .map((p) => ({
          label: ids.get(f.trialId),
          fold: `fold ${f.fold}`,
          epoch: p.epoch,
          valScore: p.valScore,
        })),
    );
  return {
    ...base,
    data: { values: rows },
    columns: 3,
    facet: { field: 'label', type: 'nominal', title: null, sort: trials.map(trialLabel) },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 210,
      height: 140,
      mark: { type: 'line', strokeWidth: 1.5, point: { size: 12 } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
        y: { field: 'valScore', type: 'quantitative', title: 'validation score', scale: { zero: false } },
        color: { field: 'fold', type: 'nominal', title: 'fold', scale: { scheme: 'dark2' } },
      },
    },
  };
}

/** A parameter that at least three trials set, with how to draw it. */
export interface ParamAxis {
  param: string;
  kind: 'numeric' | 'categorical';
  log: boolean;
}

/** The parameters worth plotting against the score: set by at least three trials and taking more than one value. */
export function paramAxes(trials: ReportTrial[]): ParamAxis[] {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const out: ParamAxis[] = [];
  for (const param of names) {
    const values = trials.map((t) => t.params[param]).filter((v) => v !== undefined);
    if (values.length < 3 || new Set(values.map((v) => JSON.stringify(v))).size < 2) continue;
    const numeric = values.every((v) => typeof v === 'number' && Number.isFinite(v));
    const nums = numeric ? (values as number[]) : [];
    const log = numeric && nums.every((v) => v > 0) && Math.max(...nums) / Math.min(...nums) >= 100;
    out.push({ param, kind: numeric ? 'numeric' : 'categorical', log });
  }
  return out;
}

/** Mean primary score of every trial against each hyperparameter (log axis for parameters spanning decades). */
export function paramScatterChart(data: ReportData, trials: ReportTrial[], axes: ParamAxis[]): VegaLiteSpec {
  const m = data.primary.name;
  const panels = axes.map((a) => {
    const rows = trials
      .filter((t) => t.params[a.param] !== undefined)
      .map((t) => ({
        value: a.kind === 'numeric' ? t.params[a.param] : JSON.stringify(t.params[a.param]),
        score: t.metrics[m]?.mean,
        model: t.model,
        label: trialLabel(t),
      }));
    return {
      width: 210,
      height: 160,
      title: { text: a.param, fontSize: 12 },
      data: { values: rows },
      mark: { type: 'point', filled: true, size: 55, opacity: 0.8 },
      encoding: {
        x:
          a.kind === 'numeric'
            ? {
                field: 'value',
                type: 'quantitative',
                title: a.param,
                scale: a.log ? { type: 'log' } : { zero: false },
              }
            : { field: 'value', type: 'nominal', title: a.param, axis: { labelAngle: 0 } },
        y: { field: 'score', type: 'quantitative', title: `mean ${m}`, scale: { zero: false } },
        color: modelColor,
        tooltip: [{ field: 'label' }, { field: 'value' }, { field: 'score', format: '.4f' }],
      },
    };
  });
  return { ...base, columns: 3, concat: panels };
}

/** Parameter importance as bars of ε² (variance of trial scores explained), with η² printed beside. */
export function importanceChart(rows: ParamImportance[]): VegaLiteSpec {
  const values = rows.map((r) => ({
    ...r,
    label: `η²=${r.etaSquared.toFixed(2)} (n=${r.n}, ${r.groups} groups)`,
  }));
  const y = { field: 'param', type: 'nominal', title: null, sort: rows.map((r) => r.param) };
  return {
    ...base,
    width: 420,
    height: { step: 24 },
    data: { values },
    layer: [
      {
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          y,
          x: {
            field: 'epsilonSquared',
            type: 'quantitative',
            title: 'fraction of score variance explained (ε²)',
            scale: { domain: [0, 1] },
          },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#333' },
        encoding: { y, x: { field: 'epsilonSquared', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  };
}

/** Groups of candidates whose average ranks differ by less than the critical difference (maximal runs in rank order). */
export function cdCliques(ranks: number[], cd: number): [number, number][] {
  const order = ranks.map((r, i) => ({ r, i })).sort((a, b) => a.r - b.r);
  const out: [number, number][] = [];
  let lastEnd = -1;
  for (let s = 0; s < order.length; s++) {
    let e = s;
    while (e + 1 < order.length && (order[e + 1] as { r: number }).r - (order[s] as { r: number }).r < cd)
      e++;
    if (e > s && e > lastEnd) {
      out.push([(order[s] as { r: number }).r, (order[e] as { r: number }).r]);
      lastEnd = e;
    }
  }
  return out;
}

/** Critical-difference diagram: average Friedman ranks on one axis, the Nemenyi CD bar, and bars joining candidates within CD. */
export function cdDiagramChart(comparison: ComparisonResult): VegaLiteSpec {
  const fr = comparison.friedman;
  if (!fr) throw new Error('comparison.friedman: absent, so there is no critical-difference diagram');
  const k = comparison.candidates.length;
  const items = comparison.candidates
    .map((c, i) => ({ label: trialLabel(c), model: c.model, rank: fr.averageRanks[i] ?? NaN }))
    .sort((a, b) => a.rank - b.rank);
  const half = Math.ceil(items.length / 2);
  const marks = items.map((it, i) => {
    const left = i < half;
    const row = left ? i + 1 : items.length - i;
    return {
      ...it,
      zero: 0,
      row,
      left,
      textX: left ? 0.8 : k + 0.2,
      text: `${it.label} (${it.rank.toFixed(2)})`,
    };
  });
  const cliques = cdCliques(
    items.map((i) => i.rank),
    fr.criticalDifference,
  ).map(([a, b], j) => ({ a: a - 0.03, b: b + 0.03, y: -0.35 - 0.3 * j }));
  const lo = 1;
  const x = { type: 'quantitative', scale: { domain: [lo - 1.2, k + 1.2], nice: false } };
  const y = {
    type: 'quantitative',
    scale: { domain: [Math.max(half, 1) + 0.6, -2.4], nice: false },
    axis: null,
  };
  return {
    ...base,
    width: 640,
    height: 60 + 28 * half,
    layer: [
      {
        data: { values: [{ a: lo, b: k, zero: 0 }] },
        mark: { type: 'rule', color: '#333' },
        encoding: {
          x: {
            ...x,
            field: 'a',
            title: null,
            axis: {
              values: Array.from({ length: k }, (_, i) => i + 1),
              orient: 'top',
              title: 'average rank (1 = best)',
              grid: false,
            },
          },
          x2: { field: 'b' },
          y: { ...y, field: 'zero' },
        },
      },
      {
        data: { values: marks },
        mark: { type: 'rule', color: '#666' },
        encoding: { x: { ...x, field: 'rank' }, y: { ...y, field: 'zero' }, y2: { field: 'row' } },
      },
      {
        data: { values: marks },
        mark: { type: 'rule', color: '#666' },
        encoding: { x: { ...x, field: 'rank' }, x2: { field: 'textX' }, y: { ...y, field: 'row' } },
      },
      {
        data: { values: marks },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: { x: { ...x, field: 'rank' }, y: { ...y, field: 'zero' }, color: modelColor },
      },
      ...(['right', 'left'] as const).map((align) => ({
        data: { values: marks.filter((mk) => mk.left === (align === 'right')) },
        mark: { type: 'text', fontSize: 11, align, baseline: 'middle' },
        encoding: { x: { ...x, field: 'textX' }, y: { ...y, field: 'row' }, text: { field: 'text' } },
      })),
      {
        data: { values: cliques },
        mark: { type: 'rule', strokeWidth: 4, color: '#222' },
        encoding: { x: { ...x, field: 'a' }, x2: { field: 'b' }, y: { ...y, field: 'y' } },
      },
      {
        data: {
          values: [
            {
              a: lo,
              b: lo + fr.criticalDifference,
              y: -1.7,
              text: `CD = ${fr.criticalDifference.toFixed(2)}`,
            },
          ],
        },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 2, color: '#d62728' },
            encoding: { x: { ...x, field: 'a' }, x2: { field: 'b' }, y: { ...y, field: 'y' } },
          },
          {
            mark: { type: 'text', dy: -8, color: '#d62728', fontSize: 11, align: 'left' },
            encoding: { x: { ...x, field: 'a' }, y: { ...y, field: 'y' }, text: { field: 'text' } },
          },
        ],
      },
    ],
  };
}

/** Heatmap of a summed confusion matrix with the count in every cell. */
export function confusionChart(matrix: number[][], classes: (string | number)[]): VegaLiteSpec {
  const name = (i: number): string => String(classes[i] ?? i);
  const max = Math.max(1, ...matrix.flat());
  const rows = matrix.flatMap((r, i) =>
    r.map((count, j) => ({ actual: name(i), predicted: name(j), count, dark: count > max / 2 })),
  );
  const order = matrix.map((_, i) => name(i));
  const size = Math.min(44, Math.max(24, Math.floor(440 / Math.max(1, matrix.length))));
  return {
    ...base,
    width: { step: size },
    height: { step: size },
    data: { values: rows },
    encoding: {
      x: {
        field: 'predicted',
        type: 'nominal',
        sort: order,
        title: 'predicted',
        axis: { labelAngle: -35, labelAlign: 'left', orient: 'top' },
      },
      y: { field: 'actual', type: 'nominal', sort: order, title: 'actual' },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: { field: 'count', type: 'quantitative', title: 'count', scale: { scheme: 'blues' } },
        },
      },
      {
        mark: { type: 'text', fontSize: 10 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.dark', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/**
 * The Pareto front of a multi-objective search: the first two objectives' fold means, one point per complete, feasible
 * configuration, front members joined by a step line, the point's opacity its probability of being non-dominated.
 */
export function paretoChart(data: ReportData): VegaLiteSpec {
  const objectives = data.spec.objectives ?? [];
  const [x, y] = objectives.map((o) => o.metric);
  const rows = (data.pareto ?? []).map((e) => ({
    label: trialLabel(e),
    model: e.model,
    params: formatParams(e.params),
    x: e.objectives[0],
    y: e.objectives[1],
    front: e.onFront ? 'on the front' : 'dominated',
    p: e.pNonDominated,
  }));
  const axis = (field: 'x' | 'y', title: string | undefined) => ({
    field,
    type: 'quantitative',
    title: `mean ${title ?? field}`,
    scale: { zero: false },
  });
  return {
    ...base,
    width: 520,
    height: 320,
    data: { values: rows },
    layer: [
      {
        transform: [{ filter: "datum.front === 'on the front'" }],
        mark: { type: 'line', interpolate: 'step-after', color: '#888', strokeDash: [4, 3] },
        encoding: { x: axis('x', x), y: axis('y', y), order: { field: 'x', type: 'quantitative' } },
      },
      {
        mark: { type: 'point', filled: true, size: 80 },
        encoding: {
          x: axis('x', x),
          y: axis('y', y),
          color: modelColor,
          shape: {
            field: 'front',
            type: 'nominal',
            title: 'Pareto',
            scale: { domain: ['on the front', 'dominated'], range: ['diamond', 'circle'] },
          },
          opacity: {
            field: 'p',
            type: 'quantitative',
            title: 'P(non-dominated)',
            scale: { domain: [0, 1], range: [0.25, 1] },
          },
          tooltip: [
            { field: 'label', title: 'configuration' },
            { field: 'params' },
            { field: 'x', title: x, format: '.4f' },
            { field: 'y', title: y, format: '.4f' },
            { field: 'p', title: 'P(non-dominated)', format: '.3f' },
          ],
        },
      },
    ],
  };
}
