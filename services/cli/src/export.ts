/** Formats `foldwise export` writes: CSV (RFC 4180) for spreadsheets and `pandas.read_csv`, JSON lines for `read_json(lines=True)`. */
export const ExportFormat = { Csv: 'csv', Jsonl: 'jsonl' } as const;
/** One of `ExportFormat`'s values. */
export type ExportFormat = (typeof ExportFormat)[keyof typeof ExportFormat];

/** What `foldwise export` writes a row of: each fold, or each trial. */
export const ExportWhat = { Folds: 'folds', Trials: 'trials' } as const;
/** One of `ExportWhat`'s values. */
export type ExportWhat = (typeof ExportWhat)[keyof typeof ExportWhat];

/** A CSV field: empty for null/undefined, JSON for arrays and objects, quoted when it holds a comma, quote or newline. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Every column of `rows` in the order each first appears. */
export function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** Rows as CSV: a header of every column, then one line per row (a row without a column leaves it empty). */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const cols = columnsOf(rows);
  const lines = [cols.map(csvField).join(','), ...rows.map((r) => cols.map((c) => csvField(r[c])).join(','))];
  return `${lines.join('\n')}\n`;
}

/** Rows as JSON lines, one object per line. */
export function toJsonl(rows: readonly Record<string, unknown>[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}
