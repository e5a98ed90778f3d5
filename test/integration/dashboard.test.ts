import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { scrapeMetrics, startWorkerProcess, type WorkerProcess } from '../support/workers';

const dashboards = resolve(__dirname, '..', '..', 'infra', 'grafana', 'dashboards');

/** Every PromQL text in a dashboard: panel targets (rows included), template variable queries and annotations. */
function queriesOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const x of node) queriesOf(x, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string' && (k === 'expr' || k === 'query' || k === 'definition')) out.push(v);
      else queriesOf(v, out);
    }
  }
  return out;
}

/** foldwise_* series a query reads, each with the suffix it used (`_bucket`, `_sum`, `_count` or none). */
function seriesOf(query: string): { metric: string; suffix: string }[] {
  return (query.match(/\bfoldwise_[a-zA-Z0-9_]+/g) ?? []).map((s) => {
    const m = /^(.*?)(_bucket|_sum|_count)?$/.exec(s) as RegExpExecArray;
    return { metric: m[1] as string, suffix: m[2] ?? '' };
  });
}

let worker: WorkerProcess;
let exported: Map<string, string>;

before(async () => {
  worker = await startWorkerProcess();
  await worker.ready;
  const text = await scrapeMetrics(worker.metricsPort);
  exported = new Map(
    [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
  );
});

after(async () => {
  await worker?.stop();
});

test('every foldwise metric a Grafana dashboard queries is exported by a running worker, histograms as histograms', () => {
  const files = readdirSync(dashboards).filter((f) => f.endsWith('.json'));
  assert.ok(files.length > 0, `no dashboards in ${dashboards}`);
  const problems: string[] = [];
  let used = 0;
  for (const file of files) {
    const queries = queriesOf(JSON.parse(readFileSync(join(dashboards, file), 'utf8')));
    for (const q of queries) {
      for (const { metric, suffix } of seriesOf(q)) {
        used += 1;
        const base = exported.get(metric);
        const ok =
          (suffix === '' && base !== undefined) ||
          (suffix === '_bucket' && base === 'histogram') ||
          ((suffix === '_sum' || suffix === '_count') && (base === 'histogram' || base === 'summary')) ||
          exported.has(`${metric}${suffix}`);
        if (!ok) {
          const why =
            base === undefined
              ? 'is not exported by the worker'
              : `is a ${base}, which has no ${suffix} series`;
          problems.push(`${file}: ${metric}${suffix} ${why} (query: ${q})`);
        }
      }
    }
  }
  assert.ok(used >= 8, `the dashboards query only ${used} foldwise series`);
  assert.deepEqual(problems, []);
});
