/**
 * `npm run bench:engine`: the engine benchmarks of issue 5, each run side by side in this process tree against the
 * running local stack (Temporal, FerretDB, NATS), printing figures and asserting none:
 *  (a) throughput of no-op folds through Temporal + MongoDB + NATS with 2 worker processes vs Optuna 3.1 with
 *      PostgreSQL RDB storage and 2 processes on the same trivial objective (goal ≥ 2×);
 *  (b) orchestration overhead of folds that each sleep 1 s: (wall − ideal) / ideal, ideal = total sleep / total
 *      slots (goal ≤ 5%; Ray Tune publishes 14%);
 *  (c) speed-up from 1 to 2 worker processes on CPU-bound folds (mlp on digits) (goal ≥ 1.8×).
 * No-op and sleep folds come from the worker's benchmark trainer (`FOLDWISE_BENCH_TRAINER`); everything else
 * runs for real. Searches run in their own Temporal namespace and MongoDB database so they neither take nor
 * give tasks to other workers on the stack. `--out FILE` also writes the printed report to FILE.
 * Knobs (environment): BENCH_PARTS=a,b,c, BENCH_NOOP_TRIALS, BENCH_NOOP_SLOTS, BENCH_NOOP_PARALLELISM, BENCH_OPTUNA_TRIALS (per
 * process), BENCH_SLEEP_MS, BENCH_SLEEP_SLOTS, BENCH_SLEEP_TRIALS, BENCH_SLEEP_PARALLELISM, BENCH_CPU_TRIALS, BENCH_CPU_EPOCHS.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FoldwiseClient } from '@foldwise/sdk';
import type { FoldDoc, SearchResult, SearchSpecInput } from '@foldwise/spec';
import { ensureNamespace, processCpuSeconds as cpuSeconds } from '../../support/namespaces';
import { stackEnv, status } from '../../support/stack';
import { scrapeMetrics, startWorkerProcess, sumMetric, type WorkerProcess } from '../../support/workers';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const PEER = path.join(__dirname, 'optuna_peer.py');
const NAMESPACE = 'foldwise-bench';
const DB = 'foldwise_bench';
const PG_DB = 'foldwise_bench_optuna';
const PG_ADMIN = 'postgresql://postgres@127.0.0.1/postgres';
const WORKERS = 2;

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0)
    throw new Error(`${name} must be a positive number (got ${process.env[name]})`);
  return v;
};
const PARTS = new Set((process.env['BENCH_PARTS'] ?? 'a,b,c').split(',').map((s) => s.trim()));
const NOOP_TRIALS = num('BENCH_NOOP_TRIALS', 120);
const NOOP_SLOTS = num('BENCH_NOOP_SLOTS', 16);
const NOOP_PARALLELISM = num('BENCH_NOOP_PARALLELISM', 16);
const OPTUNA_TRIALS = num('BENCH_OPTUNA_TRIALS', 300);
const SLEEP_MS = num('BENCH_SLEEP_MS', 1000);
const SLEEP_SLOTS = num('BENCH_SLEEP_SLOTS', 4);
const SLEEP_TRIALS = num('BENCH_SLEEP_TRIALS', 64);
const SLEEP_PARALLELISM = process.env['BENCH_SLEEP_PARALLELISM']
  ? num('BENCH_SLEEP_PARALLELISM', 1)
  : undefined;
const CPU_TRIALS = num('BENCH_CPU_TRIALS', 8);
// 60 epochs keep a fold CPU-bound (~0.5 s on the SIMD kernels, like 10 epochs on tfjs-wasm before them); at 10 a
// fold trains in ~0.1 s and (c) measures dispatch, not training.
const CPU_EPOCHS = num('BENCH_CPU_EPOCHS', 60);
const K = 5;

const report: string[] = [];
const out = (line = ''): void => {
  report.push(line);
  console.log(line);
};
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const fx = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const verdict = (met: boolean): string => (met ? 'met' : 'not met');
const cpuLine = (m: { cpu: Cpu; wallS: number }, perFolds: number): string =>
  `CPU seconds during the search (per 1000 folds): workers ${fx(m.cpu.workers)} (${fx((m.cpu.workers * 1000) / perFolds, 1)}), Temporal server ${fx(m.cpu.temporal)} (${fx((m.cpu.temporal * 1000) / perFolds, 1)}), FerretDB ${fx(m.cpu.ferretdb)} (${fx((m.cpu.ferretdb * 1000) / perFolds, 1)}), this client ${fx(m.cpu.client)}; wall ${fx(m.wallS)} s on 2 cores. Temporal and FerretDB serve everyone on the stack, so theirs include others' work.`;

/** A search spec on a built-in dataset with `k`-fold stratified CV and random search, no refit. */
function specFor(
  name: string,
  dataset: 'iris' | 'digits',
  model: SearchSpecInput['models'][number],
  trials: number,
  parallelism: number,
): SearchSpecInput {
  return {
    name,
    dataset: { builtin: dataset },
    cv: { kind: 'stratified', k: K },
    metrics: { primary: 'accuracy' },
    models: [model],
    strategy: { kind: 'random' },
    budget: { trials, parallelism },
    comparison: { topK: 2, tests: ['corrected-t'] },
    refit: false,
    seed: 5,
  };
}

/** The processes whose CPU time a measurement reports. */
type Cpu = Record<'workers' | 'temporal' | 'ferretdb' | 'client', number>;

interface Measured {
  wallS: number;
  result: SearchResult;
  folds: FoldDoc[];
  /** First fold start to last fold end, from the fold documents. */
  spanS: number;
  /** Submit to the first fold's start, and the last fold's end to the result. */
  beforeS: number;
  afterS: number;
  foldsCompletedMetric: number;
  /** CPU seconds used during the search, by process (Temporal and FerretDB also serve anyone else on the stack). */
  cpu: Cpu;
  loadBefore: string;
  loadAfter: string;
  searchId: string;
}

/** Starts the workers, submits one search, waits for it, reads its fold documents and the workers' counters. */
async function measure(
  client: FoldwiseClient,
  spec: SearchSpecInput,
  workerEnv: Record<string, string>[],
): Promise<Measured> {
  const workers: WorkerProcess[] = [];
  try {
    for (const env of workerEnv)
      workers.push(await startWorkerProcess({ TEMPORAL_NAMESPACE: NAMESPACE, MONGODB_DB: DB, ...env }));
    await Promise.all(workers.map((w) => w.ready));
    const services = (await status()).services;
    const pidOf = (name: string) => services.find((x) => x.name === name)?.pid;
    const sample = (): Cpu => ({
      workers: workers.reduce((a, w) => a + cpuSeconds(w.proc.pid), 0),
      temporal: cpuSeconds(pidOf('temporal')),
      ferretdb: cpuSeconds(pidOf('ferretdb')),
      client: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    });
    const loadBefore = load();
    const cpu0 = sample();
    const t0 = performance.now();
    const submitAt = Date.now();
    const handle = await client.submit(spec);
    const result = await handle.result();
    const wallS = (performance.now() - t0) / 1000;
    const doneAt = Date.now();
    const cpu1 = sample();
    const cpu = Object.fromEntries(
      Object.entries(cpu1).map(([k, v]) => [k, v - cpu0[k as keyof Cpu]]),
    ) as Cpu;
    const loadAfter = load();
    const folds = await handle.foldDocs();
    const starts = folds.map((f) => Date.parse(f.createdAt) - f.durationMs);
    const ends = folds.map((f) => Date.parse(f.createdAt));
    const spanS = folds.length > 0 ? (Math.max(...ends) - Math.min(...starts)) / 1000 : Number.NaN;
    const beforeS = (Math.min(...starts) - submitAt) / 1000;
    const afterS = (doneAt - Math.max(...ends)) / 1000;
    let foldsCompletedMetric = 0;
    for (const w of workers)
      foldsCompletedMetric += sumMetric(await scrapeMetrics(w.metricsPort), 'foldwise_folds_total', {
        outcome: 'completed',
      });
    if (result.status !== 'completed') throw new Error(`search ${handle.searchId} ended ${result.status}`);
    return {
      wallS,
      result,
      folds,
      spanS,
      beforeS,
      afterS,
      foldsCompletedMetric,
      cpu,
      loadBefore,
      loadAfter,
      searchId: handle.searchId,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

async function countFoldEvents(client: FoldwiseClient, searchId: string): Promise<number> {
  let n = 0;
  const counting = (async () => {
    for await (const e of client.get(searchId).progress({ from: 'start' })) if (e.kind === 'fold') n += 1;
  })();
  await Promise.race([counting, new Promise((ok) => setTimeout(ok, 30_000))]);
  return n;
}

async function optunaPeer(): Promise<{
  version: string;
  trialsPerS: number;
  wallS: number;
  trials: number;
  loadBefore: string;
  loadAfter: string;
}> {
  const url = `postgresql://postgres@127.0.0.1/${PG_DB}`;
  const study = 'bench-noop';
  const setup = await run(PYTHON, [
    PEER,
    'setup',
    JSON.stringify({ admin: PG_ADMIN, db: PG_DB, url, study }),
  ]);
  const version = (JSON.parse(setup.stdout) as { optuna_version: string }).optuna_version;
  try {
    const loadBefore = load();
    const runs = await Promise.all(
      Array.from({ length: WORKERS }, (_, i) =>
        run(PYTHON, [PEER, 'run', JSON.stringify({ url, study, trials: OPTUNA_TRIALS, seed: i })]),
      ),
    );
    const loadAfter = load();
    const timings = runs.map(
      (r) =>
        JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
          start: number;
          end: number;
          trials: number;
        },
    );
    const start = Math.min(...timings.map((t) => t.start));
    const end = Math.max(...timings.map((t) => t.end));
    const trials = timings.reduce((a, t) => a + t.trials, 0);
    return { version, trialsPerS: trials / (end - start), wallS: end - start, trials, loadBefore, loadAfter };
  } finally {
    await run(PYTHON, [PEER, 'teardown', JSON.stringify({ admin: PG_ADMIN, db: PG_DB })]);
  }
}

async function partA(client: FoldwiseClient): Promise<void> {
  const env = { FOLDWISE_BENCH_TRAINER: 'noop', FOLDWISE_SLOTS: String(NOOP_SLOTS) };
  const parallelism = NOOP_PARALLELISM;
  const spec = specFor(
    'bench-noop',
    'iris',
    {
      family: 'logistic',
      params: { epochs: 1 },
      space: { learningRate: { type: 'logUniform', low: 0.001, high: 0.3 } },
    },
    NOOP_TRIALS,
    parallelism,
  );
  const m = await measure(client, spec, [env, env]);
  const events = await countFoldEvents(client, m.searchId);
  const nFolds = m.folds.length;
  const fw = nFolds / m.wallS;
  const fwSteady = nFolds / m.spanS;
  const meanActivityMs = m.folds.reduce((a, f) => a + f.durationMs, 0) / Math.max(1, nFolds);
  const o = await optunaPeer();
  out(
    `## (a) Throughput of no-op folds: foldwise (2 worker processes) vs Optuna ${o.version} RDB/PostgreSQL (2 processes)`,
  );
  out('');
  out(
    `foldwise: iris, ${K}-fold stratified CV, random search, ${NOOP_TRIALS} trials (${nFolds} folds), parallelism ${parallelism} trials, ${WORKERS} workers × ${NOOP_SLOTS} slots, FOLDWISE_BENCH_TRAINER=noop, refit off.`,
  );
  out(
    `Every fold: Temporal activity, dataset from cache, split, preprocessing, metrics, fold document upserted in FerretDB, NATS events; fold events on NATS: ${events}; foldwise_folds_total{outcome="completed"}: ${m.foldsCompletedMetric}.`,
  );
  out(
    `Optuna: RandomSampler, objective x² of one suggested float, ${WORKERS} processes × ${OPTUNA_TRIALS} trials on one study in PostgreSQL, timed from the first process's optimize() start to the last one's end.`,
  );
  out('');
  out('| system | unit | units | wall (s) | units/s | load before → after |');
  out('| --- | --- | --- | --- | --- | --- |');
  out(
    `| foldwise, submit → result | fold | ${nFolds} | ${fx(m.wallS)} | ${fx(fw)} | ${m.loadBefore} → ${m.loadAfter} |`,
  );
  out(
    `| foldwise, first fold start → last fold end | fold | ${nFolds} | ${fx(m.spanS)} | ${fx(fwSteady)} | |`,
  );
  out(
    `| foldwise, submit → result | trial (${K} folds) | ${m.result.counts.trials} | ${fx(m.wallS)} | ${fx(m.result.counts.trials / m.wallS)} | |`,
  );
  out(
    `| Optuna ${o.version} | trial | ${o.trials} | ${fx(o.wallS)} | ${fx(o.trialsPerS)} | ${o.loadBefore} → ${o.loadAfter} |`,
  );
  out('');
  out(
    `Mean time inside a no-op fold activity (load, split, score, write): ${fx(meanActivityMs, 1)} ms. Submit → first fold start ${fx(m.beforeS)} s; last fold end → result ${fx(m.afterS)} s.`,
  );
  out(cpuLine(m, nFolds));
  out(
    `Ratio foldwise folds/s ÷ Optuna trials/s: ${fx(fw / o.trialsPerS)}× submit → result, ${fx(fwSteady / o.trialsPerS)}× steady state (goal ≥ 2×: ${verdict(fw / o.trialsPerS >= 2)}).`,
  );
  out(
    `Per configuration (a foldwise trial evaluates ${K} folds, an Optuna trial one objective): ${fx(m.result.counts.trials / m.wallS / o.trialsPerS)}×.`,
  );
  out('');
}

async function partB(client: FoldwiseClient): Promise<void> {
  const env = { FOLDWISE_BENCH_TRAINER: `sleep:${SLEEP_MS}`, FOLDWISE_SLOTS: String(SLEEP_SLOTS) };
  const slots = WORKERS * SLEEP_SLOTS;
  const parallelism = SLEEP_PARALLELISM ?? 2 * slots;
  const spec = specFor(
    'bench-sleep',
    'iris',
    {
      family: 'logistic',
      params: { epochs: 1 },
      space: { learningRate: { type: 'logUniform', low: 0.001, high: 0.3 } },
    },
    SLEEP_TRIALS,
    parallelism,
  );
  const m = await measure(client, spec, [env, env]);
  const nFolds = m.folds.length;
  const ideal = (nFolds * SLEEP_MS) / 1000 / slots;
  const busy = m.folds.reduce((a, f) => a + f.durationMs, 0) / 1000;
  out(`## (b) Orchestration overhead: folds that each sleep ${SLEEP_MS} ms`);
  out('');
  out(
    `iris, ${K}-fold stratified CV, random search, ${SLEEP_TRIALS} trials (${nFolds} folds), parallelism ${parallelism} trials, ${WORKERS} workers × ${SLEEP_SLOTS} slots = ${slots} slots, FOLDWISE_BENCH_TRAINER=sleep:${SLEEP_MS}, refit off.`,
  );
  out(
    `ideal = ${nFolds} × ${SLEEP_MS / 1000} s / ${slots} slots = ${fx(ideal)} s. foldwise_folds_total{outcome="completed"}: ${m.foldsCompletedMetric}.`,
  );
  out('');
  out(
    '| measured from | wall (s) | ideal (s) | overhead (wall − ideal)/ideal | slot utilisation (Σ fold activity time / slots·wall) | load before → after |',
  );
  out('| --- | --- | --- | --- | --- | --- |');
  out(
    `| submit → result | ${fx(m.wallS)} | ${fx(ideal)} | ${pct((m.wallS - ideal) / ideal)} | ${pct(busy / (slots * m.wallS))} | ${m.loadBefore} → ${m.loadAfter} |`,
  );
  out(
    `| first fold start → last fold end | ${fx(m.spanS)} | ${fx(ideal)} | ${pct((m.spanS - ideal) / ideal)} | ${pct(busy / (slots * m.spanS))} | |`,
  );
  out('');
  out(
    `Submit → first fold start ${fx(m.beforeS)} s; last fold end → result ${fx(m.afterS)} s (search start: prepare, plan, first trial workflows; end: last trial records, comparison, finish).`,
  );
  out(cpuLine(m, nFolds));
  out(
    `Mean fold activity time ${fx((busy / nFolds) * 1000, 0)} ms for a ${SLEEP_MS} ms sleep. Goal ≤ 5% (Ray Tune publishes 14%): ${verdict((m.wallS - ideal) / ideal <= 0.05)} submit → result.`,
  );
  out('');
}

async function partC(client: FoldwiseClient): Promise<void> {
  const env = { FOLDWISE_BENCH_TRAINER: '', FOLDWISE_SLOTS: '1' };
  const model = {
    family: 'mlp',
    params: { epochs: CPU_EPOCHS, batchSize: 32, hiddenLayers: 1, units: 64 },
    space: { learningRate: { type: 'logUniform', low: 0.001, high: 0.01 } },
  } as const;
  const parallelism = 2;
  const rows: { workers: number; m: Measured }[] = [];
  for (const n of [1, 2]) {
    const spec = specFor(`bench-cpu-${n}w`, 'digits', model, CPU_TRIALS, parallelism);
    rows.push({
      workers: n,
      m: await measure(
        client,
        spec,
        Array.from({ length: n }, () => env),
      ),
    });
  }
  const [one, two] = rows as [(typeof rows)[0], (typeof rows)[0]];
  const backends = [...new Set(rows.flatMap((r) => r.m.folds.map((f) => f.backend)))].join(', ');
  out(`## (c) Speed-up from 1 to 2 worker processes on CPU-bound folds`);
  out('');
  out(
    `digits, ${K}-fold stratified CV, mlp (1 × 64 relu, ${CPU_EPOCHS} epochs, batch 32, learningRate random in [0.001, 0.01]), ${CPU_TRIALS} trials (${CPU_TRIALS * K} folds), parallelism ${parallelism} trials, 1 slot per worker, backend ${backends}, refit off. Same seed, so the same configurations and folds in both runs.`,
  );
  out('');
  out('| workers | folds | wall submit → result (s) | folds/s | mean fold time (s) | load before → after |');
  out('| --- | --- | --- | --- | --- | --- |');
  for (const { workers, m } of rows) {
    const mean = m.folds.reduce((a, f) => a + f.durationMs, 0) / Math.max(1, m.folds.length) / 1000;
    out(
      `| ${workers} | ${m.folds.length} | ${fx(m.wallS)} | ${fx(m.folds.length / m.wallS)} | ${fx(mean)} | ${m.loadBefore} → ${m.loadAfter} |`,
    );
  }
  out('');
  const speedup = one.m.wallS / two.m.wallS;
  out(
    `Submit → first fold start: ${fx(one.m.beforeS)} s / ${fx(two.m.beforeS)} s; last fold end → result: ${fx(one.m.afterS)} s / ${fx(two.m.afterS)} s (1 / 2 workers).`,
  );
  out(
    `Speed-up 1 → 2 workers: ${fx(speedup)}× submit → result, ${fx(one.m.spanS / two.m.spanS)}× first fold start → last fold end (goal ≥ 1.8×: ${verdict(speedup >= 1.8)}).`,
  );
  out(
    `This machine has ${cpus().length} CPU cores shared with other work: the load average above is what the 2 workers competed with.`,
  );
  out('');
}

async function main(): Promise<void> {
  const outFile = process.argv.includes('--out')
    ? process.argv[process.argv.indexOf('--out') + 1]
    : undefined;
  const env = stackEnv();
  out('# Engine benchmarks (issue 5)');
  out('');
  out(
    `Command: \`npm run bench:engine${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`; date ${new Date().toISOString()}; Node ${process.version}; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); load average at start ${load()}.`,
  );
  out(
    `Stack: Temporal ${env.TEMPORAL_ADDRESS} namespace ${NAMESPACE}, FerretDB ${env.MONGODB_URI} database ${DB}, NATS ${env.NATS_URL}.`,
  );
  out('');
  await ensureNamespace(env.TEMPORAL_ADDRESS, NAMESPACE);
  const client = await FoldwiseClient.connect({
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: NAMESPACE,
    mongodbUri: env.MONGODB_URI,
    mongodbDb: DB,
    natsUrl: env.NATS_URL,
  });
  try {
    await client.store.db.dropDatabase();
    if (PARTS.has('a')) await partA(client);
    if (PARTS.has('b')) await partB(client);
    if (PARTS.has('c')) await partC(client);
    out(`Load average at end ${load()}.`);
  } finally {
    await client.store.db.dropDatabase().catch(() => undefined);
    await client.close();
  }
  if (outFile) writeFileSync(outFile, `${report.join('\n')}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
