import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FoldwiseClient } from '@foldwise/sdk';
import { described, foldwise, foldwiseInProcess, type CliRun } from '../support/cli';
import { waitFor } from '../support/faults';
import { stackEnv } from '../support/stack';
import { startWorkerProcess, type WorkerProcess } from '../support/workers';

const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
let client: FoldwiseClient;
let worker: WorkerProcess;
let dir: string;
/** The search the first test paused, resumed and cancelled (listed later). */
let controlled: string | undefined;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'foldwise-cli-control-'));
  const env = stackEnv();
  client = await FoldwiseClient.connect({
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    mongodbUri: env.MONGODB_URI,
    mongodbDb: env.MONGODB_DB,
    natsUrl: env.NATS_URL,
  });
  worker = await startWorkerProcess({ FOLDWISE_SLOTS: '2' });
  await worker.ready;
});

after(async () => {
  await worker?.stop();
  await client?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `node services/cli/bin/foldwise.js <args>` as a process and asserts its exit code. */
async function cli(args: string[], code = 0, timeoutMs = 120_000): Promise<CliRun> {
  const r = await foldwise(args, timeoutMs);
  assert.equal(r.code, code, `${described(args, r)}\nworker:\n${worker.output().slice(-1500)}`);
  return r;
}

/**
 * Runs the same command through the CLI's `run` in this process (no tsx start) and asserts its exit code. None of
 * these commands reads NATS, so the client is pointed at a closed port: an SDK client closed while its lazy NATS
 * connection is still being set up leaves that connection open (libs/events, reported), which would keep this test
 * process alive after its last test.
 */
async function inProcess(args: string[], code = 0): Promise<CliRun> {
  const r = await foldwiseInProcess(args, { NATS_URL: 'nats://127.0.0.1:9' });
  assert.equal(r.code, code, described(args, r));
  return r;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A search of digits MLPs, one trial at a time, whose budget outlasts the test: it is paused, resumed and cancelled. */
const longSpec = (name: string) => ({
  name,
  dataset: { builtin: 'digits' },
  cv: { kind: 'stratified', k: 3 },
  metrics: { primary: 'accuracy' },
  models: [
    {
      family: 'mlp',
      params: { epochs: 10, batchSize: 32, hiddenLayers: 1 },
      space: {
        units: { type: 'choice', values: [32, 64] },
        learningRate: { type: 'logUniform', low: 0.001, high: 0.03 },
      },
    },
  ],
  strategy: { kind: 'random' },
  budget: { trials: 40, parallelism: 1 },
  refit: false,
  seed: 21,
});

/** A quick iris search that completes, for the read-only commands. */
const quickSpec = (name: string) => ({
  name,
  dataset: { builtin: 'iris' },
  cv: { kind: 'stratified', k: 3 },
  metrics: { primary: 'accuracy', report: ['f1_macro'] },
  models: [
    {
      family: 'logistic',
      params: { epochs: 15, batchSize: 16 },
      space: { learningRate: { type: 'logUniform', low: 0.003, high: 0.3 } },
    },
  ],
  strategy: { kind: 'random' },
  budget: { trials: 3, parallelism: 3 },
  seed: 4,
});

function specFile(name: string, spec: object): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

test(
  'pause, extend, resume and cancel a running search from the CLI: each exits 0 and does what it says',
  { timeout: 300_000 },
  async () => {
    const id = `cli-control-${runId}`;
    const sub = await cli(['submit', specFile('long', longSpec(`cli-long-${runId}`)), '--search-id', id]);
    assert.equal(sub.stdout.trim(), id, 'submit without --watch prints the search id only');
    const h = client.get(id);
    await waitFor('the first trial to start', async () => (await h.status()).started >= 1, 60_000);

    const paused = await cli(['pause', id]);
    assert.equal(paused.stdout.trim(), `${id}: paused`);
    assert.equal((await h.status()).paused, true);
    // Running trials finish; no new one starts.
    await waitFor('the running trial to finish', async () => (await h.status()).inFlight === 0, 60_000);
    const atPause = await h.status();
    await sleep(4000);
    const later = await h.status();
    assert.equal(later.started, atPause.started, 'no trial starts while the search is paused');
    assert.equal(later.inFlight, 0);
    assert.ok(later.started < later.budget, 'the search is paused, not out of budget');

    const extended = await cli(['extend', id, '5']);
    assert.equal(extended.stdout.trim(), `${id}: budget is now 45 trials`);
    assert.equal((await h.status()).budget, 45);

    const resumed = await cli(['resume', id]);
    assert.equal(resumed.stdout.trim(), `${id}: resumed`);
    const afterResume = await waitFor(
      'a trial to start after the resume',
      async () => {
        const s = await h.status();
        return s.started > atPause.started ? s : undefined;
      },
      60_000,
    );
    assert.equal(afterResume.paused, false);

    const cancelled = await cli(['cancel', id]);
    assert.equal(cancelled.stdout.trim(), `${id}: cancellation requested`);
    await waitFor(
      'the search document to read cancelled',
      async () => (await client.store.searches.get(id))?.status === 'cancelled',
      30_000,
    );
    await assert.rejects(h.result(), /cancel/i);
    const trials = await client.store.trials.forSearch(id);
    assert.ok(
      trials.every((t) => t.status !== 'running'),
      'no trial is left running',
    );
    assert.ok(trials.length < 45, 'the cancelled search stopped before its budget');

    controlled = id;
  },
);

test('control commands on a search that does not exist, or with a bad count, exit 2 and say why', async () => {
  const missing = `cli-missing-${runId}`;
  const notFound = [
    ['pause', missing],
    ['resume', missing],
    ['cancel', missing],
    ['extend', missing, '3'],
    ['leaderboard', missing],
    ['compare', missing],
    ['report', missing, '-o', join(dir, 'missing.html')],
  ];
  const zero = await inProcess(['extend', missing, '0'], 2);
  const runs: CliRun[] = [];
  for (const args of notFound) runs.push(await inProcess(args, 2));
  runs.forEach((r, i) => assert.match(r.stderr, /not found/, described(notFound[i] ?? [], r)));
  assert.match(zero?.stderr ?? '', /N must be a positive integer/);
  assert.ok(!existsSync(join(dir, 'missing.html')), 'no report is written for a search that does not exist');
});

test(
  'leaderboard, compare, report, status, export and list read a finished search, control commands refuse it; stack status lists the local services',
  { timeout: 300_000 },
  async () => {
    const id = `cli-quick-${runId}`;
    const sub = await cli([
      'submit',
      specFile('quick', quickSpec(`cli-quick-${runId}`)),
      '--json',
      '--search-id',
      id,
    ]);
    const result = JSON.parse(sub.stdout) as { status: string; best: { trialId: string } };
    assert.equal(result.status, 'completed');
    const sdkBoard = await client.get(id).leaderboard();
    const file = join(dir, 'nested', 'report.html');

    // The report is written by a `foldwise` process; the other reads go through the same program in this process.
    const rep = await cli(['report', id, '-o', file]);
    const boardJson = await inProcess(['leaderboard', id, '--json']);
    const boardText = await inProcess(['leaderboard', id]);
    const cmpJson = await inProcess(['compare', id, '--top-k', '2', '--json']);
    const cmpText = await inProcess(['compare', id]);
    const listJson = await inProcess(['list', '--json', '--limit', '200']);
    const listText = await inProcess(['list', '--limit', '200']);
    const st = await inProcess(['stack', 'status']);
    const oldSt = await inProcess(['status']);
    const searchSt = await inProcess(['status', id]);
    const searchStJson = await inProcess(['status', id, '--json']);
    const csvFolds = await inProcess(['export', id, '--format', 'csv']);
    const jsonlTrials = await inProcess(['export', id, '--format', 'jsonl', '--what', 'trials']);
    const listCompleted = await inProcess(['list', '--json', '--status', 'completed', '--limit', '200']);
    const listRunning = await inProcess(['list', '--json', '--status', 'running', '--limit', '200']);
    const statusMissing = await inProcess(['status', `cli-missing-${runId}`], 2);
    const exportMissing = await inProcess(['export', `cli-missing-${runId}`], 2);
    const ended: CliRun[] = [];
    for (const args of [
      ['pause', id],
      ['resume', id],
      ['cancel', id],
      ['extend', id, '2'],
    ])
      ended.push(await inProcess(args, 2));

    const board = JSON.parse(boardJson.stdout) as {
      searchId: string;
      status: string;
      metric: string;
      leaderboard: { trialId: string; trialIndex: number }[];
    };
    assert.equal(board.searchId, id);
    assert.equal(board.status, 'completed');
    assert.equal(board.metric, 'accuracy');
    assert.deepEqual(
      board.leaderboard.map((r) => r.trialId),
      sdkBoard.map((r) => r.trialId),
    );
    assert.equal(board.leaderboard[0]?.trialId, result.best.trialId, 'the best trial heads the leaderboard');
    const lines = boardText.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /#\s+trial\s+model\s+status\s+folds\s+accuracy mean ± std/);
    for (const r of board.leaderboard)
      assert.ok(
        lines.some((l) => new RegExp(`^\\d+\\s+${r.trialIndex}\\s+logistic\\s+completed\\s+3\\s`).test(l)),
        `trial ${r.trialIndex} is a row of:\n${boardText.stdout}`,
      );

    const cmp = JSON.parse(cmpJson.stdout) as {
      searchId: string;
      comparison: { candidates: { trialId: string }[]; pairwise: unknown[]; verdict: string } | null;
    };
    assert.equal(cmp.searchId, id);
    assert.ok(cmp.comparison, 'three completed trials are compared');
    assert.deepEqual(
      cmp.comparison.candidates.map((c) => c.trialId),
      sdkBoard.slice(0, 2).map((r) => r.trialId),
      'compare --top-k 2 compares the two best',
    );
    assert.equal(cmp.comparison.pairwise.length, 1);
    assert.ok(cmp.comparison.verdict.length > 0);
    assert.ok(cmpText.stdout.includes(sdkBoard[0]?.trialId ?? '?'), cmpText.stdout);

    assert.equal(rep.stdout.trim(), file, 'report prints the path it wrote');
    const html = readFileSync(file, 'utf8');
    assert.match(html, /^<!doctype html>/i);
    assert.ok(html.includes(id), 'the report names its search');

    const rows = JSON.parse(listJson.stdout) as {
      searchId: string;
      status: string;
      counts: { trials: number; trialsCompleted: number };
    }[];
    const row = rows.find((d) => d.searchId === id);
    assert.equal(row?.status, 'completed');
    assert.equal(row?.counts.trialsCompleted, 3);
    if (controlled)
      assert.equal(rows.find((d) => d.searchId === controlled)?.status, 'cancelled', 'the cancelled search');
    assert.ok(
      listText.stdout
        .split('\n')
        .some((l) => l.startsWith(id) && /\bcompleted\b/.test(l) && l.includes('3/3')),
      listText.stdout,
    );

    for (const svc of ['temporal', 'ferretdb', 'nats'])
      assert.match(st.stdout, new RegExp(`^${svc}\\s+(running|external)\\s`, 'm'), st.stdout);
    assert.equal(oldSt.stdout, st.stdout, 'the old spelling runs the same command');
    assert.match(oldSt.stderr, /^foldwise: 'foldwise status' is now 'foldwise stack status'/);

    assert.match(searchSt.stdout, new RegExp(`^search\\s+${id}$`, 'm'), searchSt.stdout);
    assert.match(searchSt.stdout, /^status\s+completed$/m, searchSt.stdout);
    assert.match(
      searchSt.stdout,
      /^trials\s+3 completed, 0 pruned, 0 failed, 0 in flight of 3$/m,
      searchSt.stdout,
    );
    assert.match(searchSt.stdout, /^folds\s+9\/9$/m, searchSt.stdout);
    const stJson = JSON.parse(searchStJson.stdout) as { status: string; best: { trialId: string } | null };
    assert.equal(stJson.status, 'completed');
    assert.equal(stJson.best?.trialId, result.best.trialId);
    assert.match(statusMissing.stderr, /not found/);
    assert.match(exportMissing.stderr, /not found/);

    const csvLines = csvFolds.stdout.trim().split('\n');
    const header = csvLines[0]?.split(',') ?? [];
    for (const col of [
      'searchId',
      'trialId',
      'trialIndex',
      'model',
      'fold',
      'param_learningRate',
      'accuracy',
    ])
      assert.ok(header.includes(col), `column ${col} in ${csvLines[0]}`);
    assert.equal(csvLines.length, 1 + 9, 'a header and one line per fold (3 trials × 3 folds)');
    const sdkFolds = await client.get(id).foldDocs();
    const accCol = header.indexOf('accuracy');
    const foldCol = header.indexOf('fold');
    const trialCol = header.indexOf('trialIndex');
    for (const f of sdkFolds) {
      const l = csvLines.find((x) => {
        const c = x.split(',');
        return c[trialCol] === String(f.trialIndex) && c[foldCol] === String(f.fold);
      });
      assert.equal(Number(l?.split(',')[accCol]), f.metrics['accuracy'], `fold ${f._id} in the CSV`);
    }
    const trialRows = jsonlTrials.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { trialId: string; mean_accuracy: number });
    assert.deepEqual(trialRows.map((r) => r.trialId).sort(), sdkBoard.map((r) => r.trialId).sort());
    for (const r of trialRows)
      assert.equal(r.mean_accuracy, sdkBoard.find((b) => b.trialId === r.trialId)?.metrics['accuracy']?.mean);
    const ids = (out: string) =>
      (JSON.parse(out) as { searchId: string; status: string }[]).map((d) => d.searchId);
    assert.ok(ids(listCompleted.stdout).includes(id), 'list --status completed holds the finished search');
    assert.ok(!ids(listRunning.stdout).includes(id), 'list --status running does not');
    assert.ok(
      (JSON.parse(listRunning.stdout) as { status: string }[]).every((d) => d.status === 'running'),
      listRunning.stdout,
    );

    for (const r of ended) assert.match(r.stderr, /has ended \(completed\)/, r.stderr);
    assert.equal((await client.get(id).status()).budget, 3, 'extend changed nothing on a finished search');
  },
);

test(
  'demo --spec runs a reduced digits search end to end, prints the leaderboard and writes the report',
  { timeout: 300_000 },
  async () => {
    const spec = {
      ...longSpec(`cli-demo-${runId}`),
      models: [
        {
          family: 'logistic',
          params: { epochs: 5, batchSize: 64 },
          space: { learningRate: { type: 'logUniform', low: 0.01, high: 0.3 } },
        },
      ],
      cv: { kind: 'stratified', k: 3, holdout: 0.2 },
      budget: { trials: 2, parallelism: 2 },
      refit: true,
    };
    const file = join(dir, 'demo.html');
    const r = await cli(['demo', '--spec', specFile('demo', spec), '-o', file], 0, 240_000);
    assert.match(r.stderr, /^stack: reachable$/m);
    assert.match(r.stderr, /^worker: (one is already polling cpu; using it|starting one)/m);
    const searchId = /^search: (demo-cli-demo-\S+)/m.exec(r.stderr)?.[1];
    assert.ok(searchId, `the demo names its search:\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^search ${searchId}: completed \\(2 trials completed`, 'm'));
    assert.match(r.stdout, /^best: /m);
    assert.match(
      r.stdout,
      /^#\s+trial\s+model\s+status\s+folds\s+accuracy mean ± std/m,
      'the leaderboard is printed',
    );
    assert.match(r.stdout, /^held-out test: accuracy \d\.\d{4}/m);
    assert.ok(r.stdout.includes(`report: ${file}`), r.stdout);
    assert.ok(existsSync(file) && readFileSync(file, 'utf8').includes(searchId));
    assert.equal((await client.store.searches.get(searchId))?.status, 'completed');
  },
);
