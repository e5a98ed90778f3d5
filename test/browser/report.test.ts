import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the report generator lives in the CLI application
import { buildReport, ChartId, syntheticReportData } from '../../services/cli/src/report';

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

/**
 * The leaderboard the report should show, computed here from the fold records (what the `folds` collection stores)
 * and the trials' statuses, without the report's own ranking or the trials' stored aggregates: completed trials by
 * mean primary score over their folds, best first (ties by trial index), then the other trials by trial index.
 */
function expectedLeaderboard(data: ReturnType<typeof syntheticReportData>) {
  const m = data.primary.name;
  const rows = data.trials.map((t) => {
    const xs = data.folds.filter((f) => f.trialId === t.trialId).map((f) => f.metrics[m]!);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    return { t, folds: xs.length, mean, std };
  });
  const better = (a: number, b: number) => (data.primary.greaterIsBetter ? b - a : a - b);
  const ranked = rows
    .filter((r) => r.t.status === 'completed')
    .sort((a, b) => better(a.mean, b.mean) || a.t.trialIndex - b.t.trialIndex);
  const rest = rows.filter((r) => r.t.status !== 'completed').sort((a, b) => a.t.trialIndex - b.t.trialIndex);
  return [
    ...ranked.map((r, i) => [
      String(i + 1),
      `#${r.t.trialIndex} ${r.t.model}`,
      r.t.status,
      String(r.folds),
      `${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}`,
    ]),
    ...rest.map((r) => ['–', `#${r.t.trialIndex} ${r.t.model}`, r.t.status, String(r.folds), '–']),
  ];
}

let browser: Browser;
let dir: string;

before(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  dir = mkdtempSync(join(tmpdir(), 'foldwise-report-'));
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the report opens offline in Chromium with every chart drawn and the leaderboard matching the data', async () => {
  const data = syntheticReportData();
  const file = join(dir, 'report.html');
  writeFileSync(file, await buildReport(data));
  const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  const page = await context.newPage();
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);

  for (const id of Object.values(ChartId)) {
    const info = await page
      .locator(`section[data-chart="${id}"] svg`)
      .first()
      .evaluate((svg) => {
        const box = svg.getBoundingClientRect();
        const marks = svg.querySelectorAll('path, rect, line, circle, text');
        const drawn = [...svg.querySelectorAll('path')].filter((p) => {
          const b = (p as unknown as { getBBox(): { width: number; height: number } }).getBBox();
          return b.width > 0 || b.height > 0;
        });
        return { width: box.width, height: box.height, marks: marks.length, drawn: drawn.length };
      });
    assert.ok(info.width > 100 && info.height > 50, `chart ${id} has a ${info.width}x${info.height} box`);
    assert.ok(
      info.marks > 5 && info.drawn > 0,
      `chart ${id} has ${info.marks} elements, ${info.drawn} drawn paths`,
    );
  }

  const rows = await page
    .locator('#leaderboard tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  const shown = rows.map((r) => [r[0], r[1], r[4], r[5], r[6]]);
  const expected = expectedLeaderboard(data);
  assert.ok(expected.filter((r) => r[0] !== '–').length >= 5, 'the data ranks several trials');
  assert.notDeepEqual(
    expected.map((r) => r[1]),
    [...data.trials].sort((a, b) => a.trialIndex - b.trialIndex).map((t) => `#${t.trialIndex} ${t.model}`),
    'the data ranks trials in another order than their index, so the order is tested',
  );
  assert.deepEqual(shown, expected);

  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
  assert.deepEqual(requests, [], 'the report made network requests');
  await context.close();
});
