/** One observation for parameter importance: a trial's mean score and its parameter values. */
export interface ImportanceObservation {
  score: number;
  params: Record<string, unknown>;
}

/** How much of the variance of trial scores one parameter explains. */
export interface ParamImportance {
  param: string;
  /** Correlation ratio η² = between-group sum of squares / total sum of squares. */
  etaSquared: number;
  /** ε² = (SSB − (g − 1)·MSW) / SST, clipped at 0: η² with its small-sample bias removed. */
  epsilonSquared: number;
  /** Trials that have this parameter. */
  n: number;
  /** Groups the values fell into (distinct values, or quantile bins for numbers). */
  groups: number;
  binned: boolean;
}

/** Most quantile bins a numeric parameter is cut into. */
export const MAX_BINS = 4;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Group keys of a parameter's values: distinct values, or quantile bins when numbers take more than MAX_BINS values. */
export function groupKeys(values: unknown[]): { keys: string[]; binned: boolean } {
  const distinct = new Set(values.map((v) => JSON.stringify(v)));
  if (!values.every(isNumber) || distinct.size <= MAX_BINS)
    return { keys: values.map((v) => JSON.stringify(v)), binned: false };
  const nums = values as number[];
  const sorted = [...nums].sort((a, b) => a - b);
  const bins = Math.min(MAX_BINS, Math.max(2, Math.floor(nums.length / 2)));
  const edges = Array.from(
    { length: bins - 1 },
    (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / bins)] as number,
  );
  return { keys: nums.map((v) => `bin${edges.filter((e) => v >= e).length}`), binned: true };
}

/**
 * Fraction of the variance of trial scores explained by each parameter (one-way ANOVA effect sizes), computed over
 * the trials that have that parameter; parameters with fewer than 3 trials or one group are left out.
 */
export function paramImportance(obs: ImportanceObservation[]): ParamImportance[] {
  const names = [...new Set(obs.flatMap((o) => Object.keys(o.params)))].sort();
  const out: ParamImportance[] = [];
  for (const param of names) {
    const rows = obs.filter((o) => o.params[param] !== undefined && Number.isFinite(o.score));
    if (rows.length < 3) continue;
    const { keys, binned } = groupKeys(rows.map((r) => r.params[param]));
    const groups = new Map<string, number[]>();
    rows.forEach((r, i) => {
      const k = keys[i] as string;
      const list = groups.get(k) ?? [];
      list.push(r.score);
      groups.set(k, list);
    });
    if (groups.size < 2) continue;
    const mean = rows.reduce((s, r) => s + r.score, 0) / rows.length;
    const sst = rows.reduce((s, r) => s + (r.score - mean) ** 2, 0);
    let ssb = 0;
    for (const g of groups.values()) {
      const m = g.reduce((s, v) => s + v, 0) / g.length;
      ssb += g.length * (m - mean) ** 2;
    }
    const dfw = rows.length - groups.size;
    const msw = dfw > 0 ? (sst - ssb) / dfw : 0;
    const eta = sst > 0 ? ssb / sst : 0;
    const eps = sst > 0 && dfw > 0 ? Math.max(0, (ssb - (groups.size - 1) * msw) / sst) : 0;
    out.push({ param, etaSquared: eta, epsilonSquared: eps, n: rows.length, groups: groups.size, binned });
  }
  return out.sort(
    (a, b) =>
      b.epsilonSquared - a.epsilonSquared || b.etaSquared - a.etaSquared || a.param.localeCompare(b.param),
  );
}
