import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the report generator lives in the CLI application
import {
  buildReport,
  ChartId,
  rankedTrials,
  syntheticReportData,
  trialLabel,
} from '../../services/cli/src/report';

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
  const ranked = rankedTrials(data);
  assert.equal(rows.length, data.trials.length);
  ranked.forEach((t, i) => {
    const row = rows[i] ?? [];
    const s = t.metrics['accuracy'];
    assert.equal(row[1], trialLabel(t));
    assert.equal(row[5], String(t.folds));
    assert.equal(row[6], `${s?.mean.toFixed(4)} ± ${s?.std?.toFixed(4)}`);
  });

  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'report.png'), fullPage: true });
  assert.deepEqual(requests, [], 'the report made network requests');
  await context.close();
});
