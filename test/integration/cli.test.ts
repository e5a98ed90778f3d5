import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FoldwiseEventSchema } from '@foldwise/spec';
import { foldwise } from '../support/cli';
import { startWorkerProcess, type WorkerProcess } from '../support/workers';

const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;

let worker: WorkerProcess;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'foldwise-cli-'));
  worker = await startWorkerProcess({ FOLDWISE_SLOTS: '2' });
  await worker.ready;
});

after(async () => {
  await worker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('submit --json runs examples/iris.yaml to the end and prints one JSON result with the documented fields', async () => {
  const id = `cli-json-${runId}`;
  const r = await foldwise(['submit', 'examples/iris.yaml', '--json', '--search-id', id]);
  assert.equal(
    r.code,
    0,
    `exit ${r.code}\nstderr:\n${r.stderr.slice(-3000)}\nworker:\n${worker.output().slice(-3000)}`,
  );
  const doc = JSON.parse(r.stdout) as {
    searchId: string;
    status: string;
    best: { trialId: string; model: string; params: object; score: number } | null;
    leaderboard: {
      trialId: string;
      model: string;
      params: object;
      folds: number;
      metrics: Record<string, { mean: number; std: number | null; ci95: [number, number] | null }>;
    }[];
    comparison: { winner: string; verdict: string } | null;
  };
  assert.equal(doc.searchId, id);
  assert.equal(doc.status, 'completed');
  assert.ok(doc.best, 'best is missing');
  assert.ok(doc.best.score > 0.5 && doc.best.score <= 1, `best accuracy ${doc.best.score} on iris`);
  assert.equal(doc.leaderboard.length, 6, 'iris.yaml has a budget of 6 trials');
  for (const row of doc.leaderboard) {
    assert.equal(typeof row.trialId, 'string');
    assert.ok(['logistic', 'mlp'].includes(row.model), `model ${row.model}`);
    assert.equal(typeof row.params, 'object');
    assert.equal(typeof row.folds, 'number');
    for (const name of ['accuracy', 'f1_macro', 'neg_log_loss']) {
      const m = row.metrics[name];
      if (row.folds === 0) continue;
      assert.ok(m, `trial ${row.trialId} lacks ${name}`);
      assert.equal(typeof m.mean, 'number');
      assert.ok('std' in m && 'ci95' in m, `trial ${row.trialId} ${name} lacks std or ci95`);
    }
  }
  assert.ok(
    doc.leaderboard.some((row) => row.trialId === doc.best?.trialId),
    'the best trial is on the leaderboard',
  );
  assert.ok(doc.comparison && typeof doc.comparison.verdict === 'string', 'comparison is missing');
});

test('an invalid spec exits 2 and names the path of every bad field', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    [
      'name: Not A Valid Name',
      'dataset: { builtin: iris }',
      'cv: { kind: stratified, k: 1 }',
      'metrics: { primary: Accuracy }',
      'models:',
      '  - family: logistic',
      '  - family: forest',
      'budget: { trials: 0 }',
      '',
    ].join('\n'),
  );
  const r = await foldwise(['submit', file, '--json'], 120_000);
  assert.equal(r.code, 2, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.equal(r.stdout, '', 'nothing is printed on stdout for an invalid spec');
  const lines = r.stderr.trim().split('\n');
  for (const path of ['name', 'cv.k', 'metrics.primary', 'models[1].family', 'budget.trials']) {
    assert.ok(
      lines.some((l) => l.startsWith(`${path}: `)),
      `no line names ${path}:\n${r.stderr}`,
    );
  }
});

test('submit --watch without a terminal prints one JSON event per line, ending with the completion event', async () => {
  const id = `cli-watch-${runId}`;
  const r = await foldwise(['submit', 'examples/iris.yaml', '--watch', '--search-id', id]);
  assert.equal(r.code, 0, `exit ${r.code}\nstderr:\n${r.stderr.slice(-3000)}`);
  const lines = r.stdout.trim().split('\n');
  const events = lines.map((l, i) => {
    const parsed = FoldwiseEventSchema.safeParse(JSON.parse(l));
    assert.ok(parsed.success, `line ${i + 1} is not a foldwise event: ${l.slice(0, 300)}`);
    return parsed.data;
  });
  assert.ok(
    events.every((e) => e.searchId === id),
    'every event belongs to the search',
  );
  assert.equal(events[0]?.kind, 'started');
  assert.ok(events.filter((e) => e.kind === 'fold').length >= 5, 'fold events are streamed');
  assert.equal(events.at(-1)?.kind, 'completed');
  assert.equal(events.filter((e) => e.kind === 'completed').length, 1);
});
