import { parse as parseCsvSync } from 'csv-parse/sync';
import { DatasetError, DatasetErrorCode } from './errors';
import { datasetHash } from './hash';
import { FeatureKind, MissingPolicy, Task, type ColumnSchema, type Dataset } from './types';

/** Options shared by `parseCsv` and `parseJsonl`. */
export interface ParseOptions {
  /** Name of the target column. */
  target: string;
  /** Inferred when absent: a non-numeric target, or at most 20 distinct integers, is classification. */
  task?: Task;
  /** Kinds of feature columns; columns not listed are inferred (numeric when most values parse as numbers). */
  featureTypes?: Record<string, FeatureKind>;
  /** Missing feature values: reject (default), drop their rows, or impute. A row missing its target is rejected under 'reject' and dropped otherwise. */
  missing?: MissingPolicy;
  /** Dataset name; defaults to 'csv' or 'jsonl'. */
  name?: string;
  /** Column of group ids (kept out of the features); every row must have one. */
  groups?: string;
}

/** Most distinct integer target values for which an unspecified task is inferred as classification. */
export const MAX_INFERRED_CLASSES = 20;

/** Cell strings that count as a missing value (compared after trimming). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '',
  'NA',
  'N/A',
  'NaN',
  'nan',
  'null',
  'NULL',
  'None',
  '?',
]);

type Cell = string | number | boolean | null;
interface RawRow {
  row: number;
  cells: Cell[];
}
interface RawTable {
  columns: string[];
  rows: RawRow[];
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function isMissing(c: Cell): boolean {
  return c === null || (typeof c === 'string' && MISSING_TOKENS.has(c.trim()));
}

function toNumber(c: Cell): number | undefined {
  if (typeof c === 'number') return Number.isFinite(c) ? c : undefined;
  if (typeof c === 'string') {
    const s = c.trim();
    return NUMBER_RE.test(s) ? Number(s) : undefined;
  }
  return undefined;
}

function toCategory(c: Cell): string {
  return typeof c === 'string' ? c.trim() : String(c);
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

function where(row: number, column: string): string {
  return `row ${row}, column '${column}'`;
}

function compareLabels(a: string, b: string): number {
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined && nb === undefined) return -1;
  if (na === undefined && nb !== undefined) return 1;
  if (na !== undefined && nb !== undefined && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkOptions(opts: ParseOptions): void {
  if (typeof opts.target !== 'string' || opts.target === '') {
    throw new DatasetError(
      DatasetErrorCode.InvalidOption,
      'target: must name the target column (got an empty value)',
    );
  }
  const policies = Object.values(MissingPolicy) as string[];
  if (opts.missing !== undefined && !policies.includes(opts.missing)) {
    throw new DatasetError(
      DatasetErrorCode.InvalidOption,
      `missing: must be one of ${policies.join(', ')} (got '${String(opts.missing)}')`,
    );
  }
  const tasks = Object.values(Task) as string[];
  if (opts.task !== undefined && !tasks.includes(opts.task)) {
    throw new DatasetError(
      DatasetErrorCode.InvalidOption,
      `task: must be one of ${tasks.join(', ')} (got '${String(opts.task)}')`,
    );
  }
}

function readCsvTable(input: Buffer | string): RawTable {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsvSync(input, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    });
  } catch (e) {
    const err = e as { message?: string; lines?: number };
    throw new DatasetError(
      DatasetErrorCode.InvalidCsv,
      `malformed CSV: ${err.message ?? String(e)}`,
      err.lines ? { row: err.lines } : {},
    );
  }
  const head = records[0];
  if (!head) throw new DatasetError(DatasetErrorCode.EmptyInput, 'empty file: no header row');
  const columns = head.record.map((c) => c.trim());
  const rows: RawRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const r = records[i] as { record: string[]; info: { lines: number } };
    if (r.record.length !== columns.length) {
      throw new DatasetError(
        DatasetErrorCode.RaggedRow,
        `row ${r.info.lines}: expected ${columns.length} columns as in the header, found ${r.record.length}`,
        { row: r.info.lines },
      );
    }
    rows.push({ row: r.info.lines, cells: r.record });
  }
  return { columns, rows };
}

function readJsonlTable(input: Buffer | string): RawTable {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let columns: string[] | undefined;
  let index: Map<string, number> = new Map();
  let firstRow = 0;
  const rows: RawRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const row = i + 1;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new DatasetError(
        DatasetErrorCode.InvalidJson,
        `row ${row}: invalid JSON (${(e as Error).message})`,
        { row },
      );
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new DatasetError(
        DatasetErrorCode.InvalidJson,
        `row ${row}: expected a JSON object, found ${Array.isArray(obj) ? 'an array' : typeof obj}`,
        { row },
      );
    }
    const entries = Object.entries(obj as Record<string, unknown>);
    if (!columns) {
      columns = entries.map(([k]) => k);
      index = new Map(columns.map((c, j) => [c, j]));
      firstRow = row;
    }
    const cells: Cell[] = new Array<Cell>(columns.length).fill(null);
    for (const [k, v] of entries) {
      const j = index.get(k);
      if (j === undefined) {
        throw new DatasetError(
          DatasetErrorCode.RaggedRow,
          `${where(row, k)}: unexpected field, not among the fields of row ${firstRow}`,
          { row, column: k },
        );
      }
      if (v !== null && typeof v === 'object') {
        throw new DatasetError(
          DatasetErrorCode.InvalidJson,
          `${where(row, k)}: nested ${Array.isArray(v) ? 'array' : 'object'} values are not supported`,
          { row, column: k },
        );
      }
      cells[j] = v as Cell;
    }
    rows.push({ row, cells });
  }
  if (!columns) throw new DatasetError(DatasetErrorCode.EmptyInput, 'empty file: no JSON rows');
  return { columns, rows };
}

interface ColumnPlan {
  name: string;
  index: number;
  kind: FeatureKind;
  categories: string[];
  catIndex: Map<string, number>;
  fill: number | string | undefined;
}

function mostFrequent<T>(counts: Map<T, number>, order: (a: T, b: T) => number): T | undefined {
  let best: T | undefined;
  let bestCount = -1;
  for (const [v, n] of counts) {
    if (n > bestCount || (n === bestCount && best !== undefined && order(v, best) < 0)) {
      best = v;
      bestCount = n;
    }
  }
  return best;
}

function planColumn(
  table: RawTable,
  rows: RawRow[],
  index: number,
  declared: FeatureKind | undefined,
  missing: MissingPolicy,
): ColumnPlan {
  const name = table.columns[index] as string;
  let numeric = 0;
  let present = 0;
  for (const r of rows) {
    const c = r.cells[index] as Cell;
    if (isMissing(c)) continue;
    present++;
    if (toNumber(c) !== undefined) numeric++;
  }
  if (present === 0) {
    throw new DatasetError(DatasetErrorCode.MissingValue, `column '${name}': no values at all`, {
      column: name,
    });
  }
  const kind = declared ?? (numeric * 2 > present ? FeatureKind.Numeric : FeatureKind.Categorical);
  const plan: ColumnPlan = { name, index, kind, categories: [], catIndex: new Map(), fill: undefined };
  if (kind === FeatureKind.Numeric) {
    let sum = 0;
    const counts = new Map<number, number>();
    for (const r of rows) {
      const c = r.cells[index] as Cell;
      if (isMissing(c)) continue;
      const v = toNumber(c);
      if (v === undefined) {
        const hint = declared
          ? ''
          : ` (declare featureTypes['${name}'] = 'categorical' if the column is categorical)`;
        throw new DatasetError(
          DatasetErrorCode.NonNumeric,
          `${where(r.row, name)}: non-numeric value ${quote(toCategory(c))} in numeric column${hint}`,
          { row: r.row, column: name },
        );
      }
      sum += v;
      if (missing === MissingPolicy.MostFrequent) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    if (missing === MissingPolicy.Mean) plan.fill = sum / present;
    if (missing === MissingPolicy.MostFrequent) plan.fill = mostFrequent(counts, (a, b) => a - b);
    return plan;
  }
  const counts = new Map<string, number>();
  for (const r of rows) {
    const c = r.cells[index] as Cell;
    if (!isMissing(c)) counts.set(toCategory(c), (counts.get(toCategory(c)) ?? 0) + 1);
  }
  plan.categories = [...counts.keys()].sort(compareLabels);
  plan.catIndex = new Map(plan.categories.map((c, j) => [c, j]));
  if (missing === MissingPolicy.Mean || missing === MissingPolicy.MostFrequent) {
    plan.fill = mostFrequent(counts, compareLabels);
  }
  return plan;
}

function buildDataset(table: RawTable, opts: ParseOptions, defaultName: string): Dataset {
  checkOptions(opts);
  const missing = opts.missing ?? MissingPolicy.Reject;
  const seen = new Map<string, number>();
  table.columns.forEach((c, j) => {
    if (c === '')
      throw new DatasetError(DatasetErrorCode.InvalidOption, `header: column ${j + 1} has an empty name`);
    const prev = seen.get(c);
    if (prev !== undefined) {
      throw new DatasetError(
        DatasetErrorCode.InvalidOption,
        `header: column name '${c}' appears twice (columns ${prev + 1} and ${j + 1})`,
        { column: c },
      );
    }
    seen.set(c, j);
  });
  const targetIndex = seen.get(opts.target);
  if (targetIndex === undefined) {
    throw new DatasetError(
      DatasetErrorCode.MissingTarget,
      `target column '${opts.target}' not found; columns are: ${table.columns.join(', ')}`,
      { column: opts.target },
    );
  }
  for (const [col, kind] of Object.entries(opts.featureTypes ?? {})) {
    if (!seen.has(col)) {
      throw new DatasetError(
        DatasetErrorCode.UnknownColumn,
        `featureTypes['${col}']: no such column; columns are: ${table.columns.join(', ')}`,
        { column: col },
      );
    }
    if (col === opts.target) {
      throw new DatasetError(
        DatasetErrorCode.InvalidOption,
        `featureTypes['${col}']: names the target column; use task instead`,
        { column: col },
      );
    }
    if (kind !== FeatureKind.Numeric && kind !== FeatureKind.Categorical) {
      throw new DatasetError(
        DatasetErrorCode.InvalidOption,
        `featureTypes['${col}']: must be 'numeric' or 'categorical' (got '${String(kind)}')`,
        { column: col },
      );
    }
  }
  if (table.rows.length === 0)
    throw new DatasetError(DatasetErrorCode.EmptyInput, 'empty file: a header but no data rows');
  let groupsIndex: number | undefined;
  if (opts.groups !== undefined) {
    groupsIndex = seen.get(opts.groups);
    if (groupsIndex === undefined) {
      throw new DatasetError(
        DatasetErrorCode.UnknownColumn,
        `groups: column '${opts.groups}' not found; columns are: ${table.columns.join(', ')}`,
        { column: opts.groups },
      );
    }
    if (groupsIndex === targetIndex)
      throw new DatasetError(
        DatasetErrorCode.InvalidOption,
        `groups: '${opts.groups}' is the target column`,
        { column: opts.groups },
      );
    if (opts.featureTypes?.[opts.groups] !== undefined) {
      throw new DatasetError(
        DatasetErrorCode.InvalidOption,
        `featureTypes['${opts.groups}']: names the groups column, which is never a feature`,
        { column: opts.groups },
      );
    }
  }
  const featureIdx = table.columns.map((_, j) => j).filter((j) => j !== targetIndex && j !== groupsIndex);

  const rows: RawRow[] = [];
  for (const r of table.rows) {
    if (isMissing(r.cells[targetIndex] as Cell)) {
      if (missing === MissingPolicy.Reject) {
        throw new DatasetError(
          DatasetErrorCode.MissingValue,
          `${where(r.row, opts.target)}: missing target value`,
          { row: r.row, column: opts.target },
        );
      }
      continue;
    }
    if (groupsIndex !== undefined && isMissing(r.cells[groupsIndex] as Cell)) {
      throw new DatasetError(
        DatasetErrorCode.MissingValue,
        `${where(r.row, opts.groups as string)}: missing group id`,
        { row: r.row, column: opts.groups as string },
      );
    }
    let drop = false;
    for (const j of featureIdx) {
      if (!isMissing(r.cells[j] as Cell)) continue;
      const col = table.columns[j] as string;
      if (missing === MissingPolicy.Reject) {
        throw new DatasetError(
          DatasetErrorCode.MissingValue,
          `${where(r.row, col)}: missing value (missing: 'reject'; use 'drop-rows', 'mean' or 'most-frequent' to accept it)`,
          { row: r.row, column: col },
        );
      }
      if (missing === MissingPolicy.DropRows) drop = true;
    }
    if (!drop) rows.push(r);
  }
  if (rows.length === 0)
    throw new DatasetError(
      DatasetErrorCode.EmptyInput,
      'no data rows left after dropping rows with missing values',
    );

  const plans = featureIdx.map((j) =>
    planColumn(table, rows, j, opts.featureTypes?.[table.columns[j] as string], missing),
  );

  const targetValues = rows.map((r) => r.cells[targetIndex] as Cell);
  const targetNumbers = targetValues.map(toNumber);
  const allNumeric = targetNumbers.every((v) => v !== undefined);
  let task = opts.task;
  if (task === undefined) {
    const distinct = new Set(targetNumbers);
    task =
      allNumeric && targetNumbers.every((v) => Number.isInteger(v)) && distinct.size <= MAX_INFERRED_CLASSES
        ? Task.Classification
        : Task.Regression;
    if (!allNumeric) task = Task.Classification;
  }
  const n = rows.length;
  const y = new Float64Array(n);
  let classes: (string | number)[] | undefined;
  if (task === Task.Regression) {
    for (let i = 0; i < n; i++) {
      const v = targetNumbers[i];
      if (v === undefined) {
        const r = rows[i] as RawRow;
        throw new DatasetError(
          DatasetErrorCode.NonNumeric,
          `${where(r.row, opts.target)}: non-numeric target ${quote(toCategory(targetValues[i] as Cell))} in a regression task`,
          { row: r.row, column: opts.target },
        );
      }
      y[i] = v;
    }
  } else {
    const labels: (string | number)[] = allNumeric
      ? (targetNumbers as number[])
      : targetValues.map(toCategory);
    const distinct = [...new Set(labels)].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : compareLabels(String(a), String(b)),
    );
    if (distinct.length < 2) {
      throw new DatasetError(
        DatasetErrorCode.SingleClass,
        `target '${opts.target}': one class only (${quote(String(distinct[0] ?? ''))}); classification needs at least two`,
        { column: opts.target },
      );
    }
    const ids = new Map(distinct.map((l, k) => [l, k]));
    labels.forEach((l, i) => (y[i] = ids.get(l) as number));
    classes = distinct;
  }

  const featureNames: string[] = [];
  const columns: ColumnSchema[] = [];
  for (const p of plans) {
    if (p.kind === FeatureKind.Numeric) {
      featureNames.push(p.name);
      columns.push({ name: p.name, kind: p.kind });
    } else {
      for (const c of p.categories) featureNames.push(`${p.name}=${c}`);
      columns.push({ name: p.name, kind: p.kind, categories: p.categories });
    }
  }
  const d = featureNames.length;
  const X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const cells = (rows[i] as RawRow).cells;
    let o = i * d;
    for (const p of plans) {
      const c = cells[p.index] as Cell;
      if (p.kind === FeatureKind.Numeric) {
        X[o++] = isMissing(c) ? (p.fill as number) : (toNumber(c) as number);
      } else {
        const cat = isMissing(c) ? (p.fill as string) : toCategory(c);
        X[o + (p.catIndex.get(cat) as number)] = 1;
        o += p.categories.length;
      }
    }
  }
  let groups: Int32Array | undefined;
  if (groupsIndex !== undefined) {
    const raw = rows.map((r) => toCategory(r.cells[groupsIndex] as Cell));
    const ids = new Map([...new Set(raw)].sort(compareLabels).map((g, k) => [g, k]));
    groups = Int32Array.from(raw, (g) => ids.get(g) as number);
  }
  const content = {
    task,
    nSamples: n,
    nFeatures: d,
    X,
    y,
    ...(classes ? { classes } : {}),
    featureNames,
    featureKinds: featureNames.map(() => FeatureKind.Numeric),
    schema: { target: opts.target, columns, ...(opts.groups !== undefined ? { groups: opts.groups } : {}) },
    ...(groups ? { groups } : {}),
  };
  return { name: opts.name ?? defaultName, hash: datasetHash(content), ...content };
}

/** Parses a CSV file with a header row into a dataset; bad data throws a `DatasetError` naming the 1-based file row and the column. */
export function parseCsv(input: Buffer | string, opts: ParseOptions): Dataset {
  return buildDataset(readCsvTable(input), opts, 'csv');
}

/** Parses JSON Lines (one object per line; the first row's fields are the columns) into a dataset; errors as for `parseCsv`. */
export function parseJsonl(input: Buffer | string, opts: ParseOptions): Dataset {
  return buildDataset(readJsonlTable(input), opts, 'jsonl');
}
