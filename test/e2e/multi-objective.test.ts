import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { dominates } from '@foldwise/compare';
import type { ParetoEntry } from '@foldwise/spec';
import { described, foldwise, foldwiseInProcess } from '../support/cli';
import { startWorkerProcess, type WorkerProcess } from '../support/workers';

const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
/** Tighter than the example's 5,000, so that some of the seed's first configurations (an MLP of 2,410 parameters) break it. */
const PARAM_LIMIT = 2000;
let worker: WorkerProcess;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'foldwise-pareto-'));
  worker = await startWorkerProcess({ FOLDWISE_SLOTS: '2' });
  await worker.ready;
});

after(async () => {
  await worker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface JsonRow {
  trialId: string;
  model: string;
  status: string;
  metrics: Record<string, { mean: number }>;
}
interface JsonResult {
  status: string;
  best: { trialId: string; score: number } | null;
  leaderboard: JsonRow[];
  pareto?: ParetoEntry[];
  counts: { trials: number; completed: number; failed: number };
}

test(
  'a two-objective digits search (accuracy against predict_ms_per_1k, param_count <= 2000) returns a Pareto front in --json, the leaderboard and the report',
  { timeout: 300_000 },
  async (t) => {
    const shipped = parseYaml(
      readFileSync(resolve(__dirname, '../../examples/digits-pareto.yaml'), 'utf8'),
    ) as {
      models: { family: string; params: Record<string, unknown> }[];
    };
    const spec = {
      ...shipped,
      name: `e2e-pareto-${runId}`.slice(0, 64),
      dataset: { builtin: 'digits', subset: 500 },
      cv: { kind: 'stratified', k: 3 },
      models: shipped.models.map((m) => ({ ...m, params: { ...m.params, epochs: 3 } })),
      strategy: { kind: 'tpe', nStartupTrials: 4 },
      budget: { trials: 7, parallelism: 3 },
      constraints: [{ metric: 'param_count', max: PARAM_LIMIT }],
      refit: false,
    };
    const file = join(dir, 'pareto.json');
    writeFileSync(file, JSON.stringify(spec));
    const id = `e2e-pareto-${runId}`;
    const args = ['submit', file, '--json', '--search-id', id];
    const r = await foldwise(args, 240_000);
    assert.equal(r.code, 0, `${described(args, r)}\nworker:\n${worker.output().slice(-3000)}`);
    const result = JSON.parse(r.stdout) as JsonResult;
    assert.equal(result.status, 'completed');
    assert.equal(result.counts.failed, 0);

    const rows = new Map(result.leaderboard.map((t) => [t.trialId, t]));
    const completed = result.leaderboard.filter((t) => t.status === 'completed');
    for (const t of completed)
      for (const m of ['accuracy', 'predict_ms_per_1k', 'param_count'])
        assert.equal(typeof t.metrics[m]?.mean, 'number', `${t.trialId} records ${m}`);
    const feasible = (t: JsonRow | undefined) => (t?.metrics['param_count']?.mean ?? Infinity) <= PARAM_LIMIT;

    assert.ok(
      completed.some((x) => !feasible(x)),
      'some configuration breaks the constraint (else the constraint is not exercised)',
    );
    const pareto = result.pareto ?? [];
    t.diagnostic(
      `leaderboard: ${JSON.stringify(completed.map((x) => ({ trial: x.trialId.split(':').pop(), model: x.model, params: x.metrics['param_count']?.mean, feasible: feasible(x) })))}`,
    );
    t.diagnostic(
      `pareto: ${JSON.stringify(pareto.map((e) => ({ trial: e.trialIndex, model: e.model, objectives: e.objectives.map((v) => Number(v.toPrecision(4))), onFront: e.onFront, p: e.pNonDominated })))}`,
    );
    assert.ok(pareto.length > 0, `pareto[] is not empty: ${JSON.stringify(result.pareto)}`);
    assert.deepEqual(
      pareto.map((e) => e.trialId).sort(),
      completed
        .filter(feasible)
        .map((t) => t.trialId)
        .sort(),
      'pareto[] lists exactly the completed configurations that meet the constraint',
    );
    const front = pareto.filter((e) => e.onFront);
    assert.ok(front.length > 0);
    const oriented = (e: ParetoEntry) => [e.objectives[0] as number, -(e.objectives[1] as number)];
    for (const a of front)
      for (const b of front)
        assert.equal(
          dominates(oriented(a), oriented(b)),
          false,
          `${a.trialId} and ${b.trialId} are both on the front`,
        );
    for (const e of pareto) {
      assert.equal(e.objectives.length, 2);
      assert.ok(e.pNonDominated >= 0 && e.pNonDominated <= 1, `${e.trialId}: ${e.pNonDominated}`);
      const row = rows.get(e.trialId);
      assert.ok(Math.abs((row?.metrics['accuracy']?.mean ?? NaN) - (e.objectives[0] as number)) < 1e-9);
      if (!e.onFront) assert.ok(front.some((f) => dominates(oriented(f), oriented(e))));
    }
    assert.ok(result.best && feasible(rows.get(result.best.trialId)), 'the winner meets the constraint');

    const board = await foldwiseInProcess(['leaderboard', id, '--json']);
    assert.equal(board.code, 0, described(['leaderboard', id, '--json'], board));
    assert.deepEqual((JSON.parse(board.stdout) as { pareto?: unknown }).pareto, result.pareto);

    const html = join(dir, 'report.html');
    const rep = await foldwise(['report', id, '-o', html], 120_000);
    assert.equal(rep.code, 0, described(['report', id, '-o', html], rep));
    const text = readFileSync(html, 'utf8');
    const section =
      /<section class="chart" id="chart-pareto"[^>]*>([\s\S]*?)<\/section>/.exec(text)?.[1] ?? '';
    assert.match(section, /Pareto front: accuracy against predict_ms_per_1k/);
    assert.match(section, /<svg/, 'the Pareto chart is rendered');
  },
);
