import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { parse as parseYaml } from 'yaml';
import { TaskQueue } from '@foldwise/spec';
import { ensureNamespace } from '../support/namespaces';
import { stackEnv } from '../support/stack';
import { scrapeMetrics, startWorkerProcess, type WorkerProcess } from '../support/workers';

const grafana = resolve(__dirname, '..', '..', 'infra', 'grafana');
const dashboards = join(grafana, 'dashboards');
const run = randomUUID().slice(0, 8);
const namespace = `foldwise-dashboard-${run}`;
const database = `foldwise_dashboard_${run}`;

interface Variable {
  name: string;
  type: string;
  query?: unknown;
  definition?: string;
  datasource?: unknown;
  includeAll?: boolean;
}
interface Dashboard {
  __inputs?: Array<{ name?: string; type?: string; pluginId?: string }>;
  __requires?: Array<{ type?: string; id?: string }>;
  templating?: { list?: Variable[] };
  annotations?: { list?: Array<{ datasource?: unknown; expr?: string; builtIn?: number }> };
  panels?: Panel[];
}
interface Panel {
  title?: string;
  datasource?: unknown;
  targets?: Array<{ expr?: string; datasource?: unknown }>;
  panels?: Panel[];
}

const readDashboards = (): Array<{ file: string; dash: Dashboard }> => {
  const files = readdirSync(dashboards).filter((f) => f.endsWith('.json'));
  assert.ok(files.length > 0, `no dashboards in ${dashboards}`);
  return files.map((file) => ({
    file,
    dash: JSON.parse(readFileSync(join(dashboards, file), 'utf8')) as Dashboard,
  }));
};

/** Panels at every depth (a collapsed row keeps its panels inside it). */
const panelsOf = (panels: Panel[] = []): Panel[] => panels.flatMap((p) => [p, ...panelsOf(p.panels)]);

const variableQuery = (v: Variable): string | undefined =>
  typeof v.query === 'string'
    ? v.query
    : ((v.query as { query?: string } | undefined)?.query ?? v.definition);

/** Every PromQL text in a dashboard: panel targets (rows included), query variables and annotations. */
function queriesOf(dash: Dashboard): string[] {
  const out: string[] = [];
  for (const p of panelsOf(dash.panels))
    for (const t of p.targets ?? []) if (typeof t.expr === 'string') out.push(t.expr);
  for (const v of dash.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = variableQuery(v);
    if (q !== undefined) out.push(q);
  }
  for (const a of dash.annotations?.list ?? []) if (typeof a.expr === 'string') out.push(a.expr);
  return out;
}

const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool']);
const KEYWORDS_CI = new Set(['and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL query (or a Grafana `label_values(metric, label)` query) reads, as written (so with any
 * `_bucket`, `_sum` or `_count`): what is left once strings, label matchers, ranges, grouping clauses, Grafana
 * variables, numbers, keywords and function names are taken out.
 */
function metricsOf(query: string): string[] {
  let q = query
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{\w+(?::\w+)?\}|\$\w+/g, ' ');
  q = q.replace(/\blabel_values\s*\(([^()]*)\)/g, (_m, args: string) => {
    const parts = args.split(',');
    return parts.length === 2 ? ` ${parts[0]} ` : ' ';
  });
  q = q.replace(GROUPING, ' ');
  const names: string[] = [];
  for (const m of q.matchAll(/(\d+(?:\.\d+)?(?:e[+-]?\d+)?[a-z]*)|([a-zA-Z_:][\w:]*)(\s*\()?/gi)) {
    const [, num, ident, call] = m;
    if (num !== undefined || ident === undefined || call !== undefined) continue;
    if (KEYWORDS.has(ident) || KEYWORDS_CI.has(ident.toLowerCase())) continue;
    names.push(ident);
  }
  return names;
}

/** The label names a query filters or groups on. */
function labelsOf(query: string): string[] {
  const q = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const out: string[] = [];
  for (const [, body] of q.matchAll(/\{([^}]*)\}/g))
    for (const [, l] of (body ?? '').matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) out.push(l as string);
  for (const [, list] of q.matchAll(GROUPING))
    for (const l of (list ?? '').split(',')) if (l.trim() !== '') out.push(l.trim());
  return out;
}

/** What one worker's `/metrics` says: each metric family's type, and (for each family with samples) the label names they carry. */
interface Exposition {
  types: Map<string, string>;
  labels: Map<string, Set<string>>;
}

function parseExposition(text: string): Exposition {
  const types = new Map(
    [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
  );
  const labels = new Map<string, Set<string>>();
  for (const m of text.matchAll(/^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? \S+/gm)) {
    let family = m[1] as string;
    const suffix = /_(bucket|sum|count)$/.exec(family);
    const base = suffix ? family.slice(0, -suffix[0].length) : family;
    if (suffix && (types.get(base) === 'histogram' || types.get(base) === 'summary')) family = base;
    const set = labels.get(family) ?? new Set<string>();
    for (const [, l] of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) set.add(l as string);
    labels.set(family, set);
  }
  return { types, labels };
}

/** The family a queried series belongs to and the suffix it used; undefined when the worker exports no such series. */
function familyOf(series: string, exported: Exposition): { family: string; type: string } | undefined {
  const direct = exported.types.get(series);
  if (direct !== undefined) return { family: series, type: direct };
  const m = /^(.*)_(bucket|sum|count)$/.exec(series);
  if (!m) return undefined;
  const type = exported.types.get(m[1] as string);
  if (type === 'histogram' || (type === 'summary' && m[2] !== 'bucket'))
    return { family: m[1] as string, type };
  return undefined;
}

/** Labels Prometheus attaches at scrape time (or that a histogram's buckets carry), which a worker does not export. */
const TARGET_LABELS = new Set(['instance', 'job', 'le', '__name__']);

/** Every series each dashboard query reads that the worker does not export, and every label it uses that the series lack. */
function exportProblems(exported: Exposition): string[] {
  const problems: string[] = [];
  for (const { file, dash } of readDashboards()) {
    for (const q of queriesOf(dash)) {
      const families: string[] = [];
      for (const series of metricsOf(q)) {
        const hit = familyOf(series, exported);
        if (hit) {
          families.push(hit.family);
          continue;
        }
        const m = /^(.*)_(bucket|sum|count)$/.exec(series);
        const base = m ? exported.types.get(m[1] as string) : undefined;
        problems.push(
          `${file}: ${series} ${base === undefined ? 'is not exported by the worker' : `is not a series of ${m?.[1]}, a ${base}`} (query: ${q})`,
        );
      }
      if (families.length === 0 || families.some((f) => !exported.labels.has(f))) continue;
      const known = new Set(families.flatMap((f) => [...(exported.labels.get(f) ?? [])]));
      for (const l of labelsOf(q))
        if (!TARGET_LABELS.has(l) && !known.has(l))
          problems.push(`${file}: label ${l} is on none of ${families.join(', ')} (query: ${q})`);
    }
  }
  return problems;
}

let worker: WorkerProcess;
let connection: Connection | undefined;
let exported: Exposition;
let lastProblems: string[] = [];
const workflowId = `dashboard-probe-${run}`;

before(async () => {
  const env = stackEnv();
  await ensureNamespace(env.TEMPORAL_ADDRESS, namespace);
  worker = await startWorkerProcess({
    TEMPORAL_NAMESPACE: namespace,
    MONGODB_DB: database,
    FOLDWISE_MONGODB_DB: database,
  });
  await worker.ready;
  // One search whose first activity (prepareSearch, on the control queue) the worker takes, so the Temporal SDK's
  // activity histograms have an observation; its dataset does not exist, so the search ends there.
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace });
  await client.workflow.start('searchWorkflow', {
    taskQueue: TaskQueue.Control,
    workflowId,
    args: [
      {
        searchId: workflowId,
        spec: { name: workflowId, budget: { trials: 1 } },
        dataset: { builtin: `no-such-dataset-${run}` },
      },
    ],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    exported = parseExposition(await scrapeMetrics(worker.metricsPort));
    lastProblems = exportProblems(exported);
    if (lastProblems.length === 0 || Date.now() > deadline) break;
    await sleep(500);
  }
});

after(async () => {
  if (connection) {
    await new Client({ connection, namespace }).workflow
      .getHandle(workflowId)
      .terminate('dashboard test done')
      .catch(() => undefined);
    await connection.close();
  }
  await worker?.stop();
  const mongo = new MongoClient(stackEnv().MONGODB_URI, { serverSelectionTimeoutMS: 5000 });
  try {
    await mongo.connect();
    await mongo.db(database).dropDatabase();
  } catch {
    // the database may never have been created
  } finally {
    await mongo.close();
  }
});

test('the PromQL reader finds the metrics and labels of a query and nothing else', () => {
  assert.deepEqual(
    metricsOf(
      'sum by (instance, pool) (rate(process_cpu_seconds_total{job=~"$job"}[$__rate_interval]) * on (instance, job) group_left (pool) foldwise_backend_info{pool=~"$pool"}) > bool 0.5e3 offset 5m',
    ),
    ['process_cpu_seconds_total', 'foldwise_backend_info'],
  );
  assert.deepEqual(
    metricsOf('histogram_quantile(0.9, sum by (le) (rate(a_latency_bucket[5m]))) / ignoring(x) b_total'),
    ['a_latency_bucket', 'b_total'],
  );
  assert.deepEqual(metricsOf('label_values(foldwise_search_best_score{pool="x"}, search_id)'), [
    'foldwise_search_best_score',
  ]);
  assert.deepEqual(metricsOf('label_values(search_id)'), []);
  assert.deepEqual(labelsOf('sum by (a, b) (m{c=~"$c", d!="x,y"}) * on (e) group_left (f) n'), [
    'c',
    'd',
    'a',
    'b',
    'e',
    'f',
  ]);
});

test('every metric a Grafana dashboard queries, Temporal SDK and process metrics included, is exported by a running worker, histograms as histograms, with the labels the query uses', () => {
  let used = 0;
  for (const { dash } of readDashboards()) used += queriesOf(dash).flatMap(metricsOf).length;
  assert.ok(used >= 8, `the dashboards query only ${used} series`);
  assert.deepEqual(lastProblems, []);
});

test('the dashboard reads worker CPU and RSS from the standard process metrics, and the Temporal SDK’s histograms and gauges', () => {
  const families = new Set(
    readDashboards()
      .flatMap(({ dash }) => queriesOf(dash).flatMap(metricsOf))
      .map((s) => familyOf(s, exported)?.family)
      .filter((f): f is string => f !== undefined),
  );
  for (const standard of ['process_cpu_seconds_total', 'process_resident_memory_bytes'])
    assert.ok(families.has(standard), `no panel reads ${standard}`);
  const temporal = [...families].filter((f) => f.startsWith('temporal_'));
  assert.ok(
    temporal.some((f) => exported.types.get(f) === 'histogram'),
    `no panel reads a Temporal SDK histogram (reads ${temporal.join(', ') || 'none'})`,
  );
  assert.ok(
    temporal.some((f) => exported.types.get(f) === 'gauge'),
    `no panel reads a Temporal SDK gauge (reads ${temporal.join(', ') || 'none'})`,
  );
});

test('a dashboard imports anywhere: a DS_PROMETHEUS input, a Prometheus datasource variable, and no hard-coded datasource', () => {
  const provisioned = readdirSync(join(grafana, 'provisioning', 'datasources'))
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap(
      (f) =>
        (
          parseYaml(readFileSync(join(grafana, 'provisioning', 'datasources', f), 'utf8')) as {
            datasources?: Array<{ type?: string }>;
          }
        ).datasources ?? [],
    );
  assert.ok(
    provisioned.some((d) => d.type === 'prometheus'),
    'no Prometheus datasource is provisioned for the datasource variable to offer',
  );
  const builtIn = new Set(['-- Grafana --', '-- Mixed --', '-- Dashboard --']);
  for (const { file, dash } of readDashboards()) {
    const text = JSON.stringify(dash);
    const inputs = dash.__inputs ?? [];
    assert.ok(
      inputs.some(
        (i) => i.name === 'DS_PROMETHEUS' && i.type === 'datasource' && i.pluginId === 'prometheus',
      ),
      `${file}: no __inputs entry for a DS_PROMETHEUS Prometheus datasource`,
    );
    assert.ok(
      (dash.__requires ?? []).some((r) => r.type === 'datasource' && r.id === 'prometheus'),
      `${file}: __requires does not name the prometheus datasource plugin`,
    );
    for (const i of inputs)
      assert.ok(text.includes(`\${${i.name}}`), `${file}: input ${i.name} is asked for but used nowhere`);
    for (const [, name] of text.matchAll(/\$\{(DS_\w+)\}/g))
      assert.ok(
        inputs.some((i) => i.name === name),
        `${file}: \${${name}} is used but not declared in __inputs`,
      );
    const variables = dash.templating?.list ?? [];
    const dsVariables = new Set(
      variables.filter((v) => v.type === 'datasource' && v.query === 'prometheus').map((v) => v.name),
    );
    assert.ok(dsVariables.has('datasource'), `${file}: no datasource variable of type prometheus`);
    const problems: string[] = [];
    const check = (where: string, ds: unknown, required: boolean): void => {
      if (ds === undefined || ds === null) {
        if (required) problems.push(`${where}: no datasource (it would use the default, not the variable)`);
        return;
      }
      const uid = typeof ds === 'string' ? ds : (ds as { uid?: unknown }).uid;
      if (typeof uid === 'string' && builtIn.has(uid)) return;
      const m = typeof uid === 'string' ? /^\$\{(\w+)\}$|^\$(\w+)$/.exec(uid) : null;
      const name = m?.[1] ?? m?.[2];
      if (name === undefined || !dsVariables.has(name))
        problems.push(`${where}: datasource ${JSON.stringify(ds)} is not a datasource variable`);
    };
    for (const p of panelsOf(dash.panels)) {
      const hasTargets = (p.targets ?? []).length > 0;
      check(`panel "${p.title}"`, p.datasource, hasTargets);
      for (const [i, t] of (p.targets ?? []).entries())
        check(`panel "${p.title}" target ${i}`, t.datasource, false);
    }
    for (const v of variables) if (v.type === 'query') check(`variable ${v.name}`, v.datasource, true);
    for (const [i, a] of (dash.annotations?.list ?? []).entries())
      check(`annotation ${i}`, a.datasource, a.builtIn !== 1);
    assert.deepEqual(problems, [], file);
  }
});

test('a search_id variable lists the searches, with All, and every panel on its metric filters by it', () => {
  for (const { file, dash } of readDashboards()) {
    const v = (dash.templating?.list ?? []).find((x) => x.name === 'search_id');
    assert.ok(v, `${file}: no search_id variable`);
    assert.equal(v.type, 'query');
    assert.equal(v.includeAll, true, `${file}: search_id has no All option`);
    const m = /^\s*label_values\(\s*([a-zA-Z_:][\w:]*)[^,]*,\s*search_id\s*\)\s*$/.exec(
      variableQuery(v) ?? '',
    );
    assert.ok(m, `${file}: search_id is not label_values(<metric>, search_id): ${variableQuery(v)}`);
    const metric = m[1] as string;
    const reading = panelsOf(dash.panels).flatMap((p) =>
      (p.targets ?? [])
        .map((t) => t.expr ?? '')
        .filter((e) => metricsOf(e).includes(metric))
        .map((e) => ({ title: p.title, expr: e })),
    );
    assert.ok(reading.length > 0, `${file}: no panel reads ${metric}`);
    for (const { title, expr } of reading)
      assert.match(
        expr,
        /search_id\s*=~\s*"\$\{?search_id\}?"/,
        `${file}: panel "${title}" ignores $search_id`,
      );
  }
});
