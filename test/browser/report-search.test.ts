import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { FoldwiseClient } from '@foldwise/sdk';
import type { FoldDoc, TrialDoc } from '@foldwise/spec';
import { described, foldwise } from '../support/cli';
import { stackEnv } from '../support/stack';
import { startWorkerProcess, type WorkerProcess } from '../support/workers';

const artifacts = resolve(__dirname, '..', 'artifacts');
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The report's chart sections (`<section data-chart="…">`), in page order. */
const charts = [
  'scores',
  'fold-scores',
  'critical-difference',
  'learning-curves',
  'hyperparameters',
  'importance',
  'confusion-matrix',
];
const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;

let browser: Browser;
let client: FoldwiseClient;
let worker: WorkerProcess;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'foldwise-report-search-'));
  const env = stackEnv();
  client = await FoldwiseClient.connect({
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    mongodbUri: env.MONGODB_URI,
    mongodbDb: env.MONGODB_DB,
    natsUrl: env.NATS_URL,
  });
  worker = await startWorkerProcess({ FOLDWISE_SLOTS: '2' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  await worker.ready;
});

after(async () => {
  await browser?.close();
  await worker?.stop();
  await client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Completed trials by the mean accuracy of their fold documents, best first (ties by index), then the others by index. */
function expectedOrder(trials: TrialDoc[], folds: FoldDoc[]) {
  const rows = trials.map((t) => {
    const xs = folds.filter((f) => f.trialIndex === t.trialIndex).map((f) => f.metrics['accuracy'] as number);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    return { t, folds: xs.length, mean, std };
  });
  const done = rows
    .filter((r) => r.t.status === 'completed')
    .sort((a, b) => b.mean - a.mean || a.t.trialIndex - b.t.trialIndex);
  const rest = rows.filter((r) => r.t.status !== 'completed').sort((a, b) => a.t.trialIndex - b.t.trialIndex);
  return [...done, ...rest];
}

test(
  'foldwise report on a real search opens offline in Chromium: every chart drawn, the leaderboard lists the trials, no console error',
  { timeout: 300_000 },
  async () => {
    const handle = await client.submit({
      name: `report-real-${runId}`,
      dataset: { builtin: 'iris' },
      cv: { kind: 'stratified', k: 5 },
      metrics: { primary: 'accuracy', report: ['f1_macro'] },
      models: [
        {
          family: 'logistic',
          params: { epochs: 12, batchSize: 16 },
          space: { learningRate: { type: 'logUniform', low: 0.003, high: 0.3 } },
        },
        {
          family: 'mlp',
          params: { epochs: 12, batchSize: 16 },
          space: {
            units: { type: 'choice', values: [8, 16] },
            learningRate: { type: 'logUniform', low: 0.003, high: 0.1 },
          },
        },
      ],
      strategy: { kind: 'random' },
      budget: { trials: 6, parallelism: 3 },
      comparison: { topK: 4 },
      refit: false,
      seed: 12,
    });
    const result = await handle.result();
    assert.equal(result.status, 'completed', worker.output().slice(-3000));
    const id = handle.searchId;

    const file = join(dir, 'report.html');
    const args = ['report', id, '-o', file];
    const r = await foldwise(args, 120_000);
    assert.equal(r.code, 0, described(args, r));
    assert.equal(r.stdout.trim(), file);

    const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (q) => {
      if (!q.url().startsWith('file:')) requests.push(q.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    assert.equal(await page.title(), `foldwise report: report-real-${runId}`);
    assert.ok((await page.locator('body').innerText()).includes(id), 'the page names the search');

    assert.deepEqual(
      await page
        .locator('section[data-chart]')
        .evaluateAll((s) => s.map((x) => x.getAttribute('data-chart'))),
      charts,
    );
    for (const chart of charts) {
      const section = page.locator(`section[data-chart="${chart}"]`);
      assert.equal(
        await section.locator('.na').count(),
        0,
        `chart ${chart} is drawn, not "${await section.innerText()}"`,
      );
      const info = await section
        .locator('figure svg')
        .first()
        .evaluate((svg) => {
          const box = svg.getBoundingClientRect();
          const drawn = [...svg.querySelectorAll('path, rect, line, circle, symbol, text')].filter((el) => {
            const b = (el as unknown as { getBBox(): { width: number; height: number } }).getBBox();
            return b.width > 0 || b.height > 0;
          });
          return {
            width: box.width,
            height: box.height,
            drawn: drawn.length,
            vega:
              svg.classList.contains('marks') || svg.querySelector('.mark-group, [class^="mark-"]') !== null,
          };
        });
      assert.ok(info.width > 100 && info.height > 50, `chart ${chart}: a ${info.width}x${info.height} box`);
      assert.ok(info.vega, `chart ${chart}: a Vega-Lite SVG (marks groups)`);
      assert.ok(info.drawn > 5, `chart ${chart}: ${info.drawn} drawn marks`);
    }

    const trials = await client.store.trials.forSearch(id);
    const folds = await handle.foldDocs();
    assert.equal(trials.length, 6);
    const expected = expectedOrder(trials, folds);
    const rows = await page.locator('#leaderboard tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute('data-trial-id'),
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
      })),
    );
    assert.deepEqual(
      rows.map((x) => x.id),
      expected.map((e) => e.t._id),
      'the leaderboard lists every trial of the search, best mean accuracy over its fold documents first',
    );
    rows.forEach((row, i) => {
      const e = expected[i]!;
      assert.equal(row.cells[2], e.t.model);
      assert.equal(row.cells[4], e.t.status);
      assert.equal(row.cells[5], String(e.folds));
      assert.equal(row.cells[6], `${e.mean.toFixed(4)} ± ${e.std.toFixed(4)}`, `trial ${e.t._id}`);
    });

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'report-search.png'), fullPage: true });
    assert.deepEqual(problems, [], 'the page logs no error or warning');
    assert.deepEqual(requests, [], 'the report makes no network request');
    await context.close();
  },
);
