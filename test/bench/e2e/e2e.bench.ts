/**
 * `npm run bench:e2e`: the fold-fast-path job of issue 12, foldwise and scikit-learn side by side in one run.
 *
 * The job (test/bench/e2e/digits-mlp.yaml): 30 MLP configurations × 5 stratified folds on digits, 20 epochs, batch 64,
 * a 20 % stratified hold-out and a refit of the winner. foldwise runs it as a user would: `foldwise worker --pool cpu
 * --slots 2` and `foldwise submit SPEC --json` on the running local stack (its own Temporal namespace and database),
 * timed from submit to result. The peer is scikit-learn's RandomizedSearchCV(Pipeline(StandardScaler, MLPClassifier),
 * n_jobs=2, refit=True) from Debian's python3 (test/bench/e2e/sklearn_peer.py), on exactly foldwise's folds and
 * hold-out and the same space, epochs and batch. Each foldwise run is preceded by a peer run, so the ratio compares
 * runs seconds apart under the same load.
 *
 * Parts (BENCH_E2E_PARTS, default `fresh,aged,racing`):
 *   fresh   a new, empty database;
 *   aged    a database already holding BENCH_E2E_AGED_FOLDS (default 100,000) fold documents of other searches, with
 *           their trials and searches (seeded once by ./aged-store.ts, then reused);
 *   racing  the fresh database with fold racing on (corrected t, minFolds 3), to compare with `fresh`.
 * Reported per run: wall and ratio to scikit-learn, best CV and held-out accuracy of both, CPU seconds per fold of
 * each foldwise process (worker, Temporal server, FerretDB; the last two serve everything on the stack), the worker's
 * CPU outside training per fold, and the idle time between consecutive folds on a busy slot (from the fold documents).
 *
 *   npm run bench:e2e [-- --save]          --save appends the report to test/bench/e2e/RESULTS.md
 * Knobs: BENCH_E2E_SEED (default 1), BENCH_E2E_SLOTS (2), BENCH_E2E_PARTS, BENCH_E2E_AGED_FOLDS, BENCH_E2E_CLI
 * (`built` or `source`, below). Prints figures and asserts none.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { planFolds } from '@foldwise/activities';
import { loadDataset } from '@foldwise/datasets';
import { parseSearchSpec, type FoldDoc } from '@foldwise/spec';
import { connectStore } from '@foldwise/store';
import { ensureNamespace, processCpuSeconds } from '../../support/namespaces';
import { stackEnv, status } from '../../support/stack';
import { freePort } from '../../support/workers';
import { ageStore } from '../../support/aged-store';

const run = promisify(execFile);
const HERE = __dirname;
const ROOT = path.resolve(HERE, '../../..');
/**
 * Which `foldwise` runs: `built` (default) is what `npm install -g` of the packed CLI installs, services/cli/dist/main.js
 * from `npm run build` (the bench builds it first), whose `worker` spawns the built worker with its prebuilt workflow
 * bundle; `source` is `npm run foldwise` in this repository, the TypeScript sources under tsx.
 */
const CLI_KIND = process.env['BENCH_E2E_CLI'] ?? 'built';
if (CLI_KIND !== 'built' && CLI_KIND !== 'source')
  throw new Error(`BENCH_E2E_CLI must be built or source (got ${CLI_KIND})`);
const CLI = path.join(
  ROOT,
  CLI_KIND === 'built' ? 'services/cli/dist/main.js' : 'services/cli/bin/foldwise.js',
);
const SPEC_FILE = path.join(HERE, 'digits-mlp.yaml');
const PEER = path.join(HERE, 'sklearn_peer.py');
const DIGITS_CSV = path.join(ROOT, 'libs/datasets/data/digits.csv');
const RESULTS = path.join(HERE, 'RESULTS.md');
const PYTHON = '/usr/bin/python3';
const NAMESPACE = 'foldwise-bench-e2e';
const DB_FRESH = 'foldwise_bench_e2e_fresh';
const DB_AGED = 'foldwise_bench_e2e_aged';

const num = (name: string, fallback: number): number => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v <= 0)
    throw new Error(`${name} must be a positive number (got ${process.env[name]})`);
  return v;
};
const SEED = num('BENCH_E2E_SEED', 1);
const SLOTS = num('BENCH_E2E_SLOTS', 2);
const AGED_FOLDS = num('BENCH_E2E_AGED_FOLDS', 100_000);
const PARTS = (process.env['BENCH_E2E_PARTS'] ?? 'fresh,aged,racing').split(',').map((s) => s.trim());

const lines: string[] = [];
const out = (line = ''): void => {
  lines.push(line);
  console.log(line);
};
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const fx = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const median = (xs: number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** What the scikit-learn peer printed. */
interface PeerResult {
  wall_s: number;
  best_cv: number;
  holdout: number;
  n_configs: number;
  n_folds: number;
  sklearn: string;
  threads: number;
}

/** One foldwise run. */
interface FoldwiseRun {
  wallS: number;
  searchId: string;
  bestCv: number;
  holdout: number;
  foldsRun: number;
  foldsSkipped: number;
  cpu: { worker: number; temporal: number; ferretdb: number };
  /** Training-thread CPU summed over the search's folds, and the refit's, in seconds. */
  trainCpuS: number;
  refitCpuS: number;
  idleMs: number[];
  loadBefore: string;
  loadAfter: string;
}

/** Writes the peer's inputs: foldwise's own fold plan for the spec and seed, and the spec's search space. */
async function peerInputs(dir: string, spec: ReturnType<typeof parseSearchSpec>): Promise<void> {
  const ds = await loadDataset(spec.dataset as never);
  const plan = planFolds(ds, spec.cv, spec.seed);
  const rows = (a: Uint32Array): number[] => Array.from(a);
  writeFileSync(
    path.join(dir, 'plan.json'),
    JSON.stringify({
      pool: rows(plan.pool),
      holdout: rows(plan.holdout),
      folds: plan.folds.map((f) => ({ train: rows(f.train), test: rows(f.test) })),
    }),
  );
  writeFileSync(path.join(dir, 'space.json'), JSON.stringify(spec.models[0]!.space));
}

async function runPeer(dir: string, spec: ReturnType<typeof parseSearchSpec>): Promise<PeerResult> {
  const params = spec.models[0]!.params as { epochs?: number; batchSize?: number };
  const args = [
    PEER,
    '--data',
    DIGITS_CSV,
    '--plan',
    path.join(dir, 'plan.json'),
    '--space',
    path.join(dir, 'space.json'),
    '--trials',
    String(spec.budget.trials),
    '--seed',
    String(spec.seed),
    '--epochs',
    String(params.epochs ?? 20),
    '--batch',
    String(params.batchSize ?? 64),
  ];
  const { stdout } = await run(PYTHON, args, { cwd: ROOT, maxBuffer: 1 << 24 });
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as PeerResult;
}

/** The pid of the worker process a `foldwise worker` CLI started (its only child). */
function childOf(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    return kids.length > 0 ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `foldwise worker --pool cpu --slots N` on a database and waits until it polls. */
async function startCliWorker(
  env: NodeJS.ProcessEnv,
): Promise<{ proc: ChildProcess; workerPid: () => number | undefined; stop: () => Promise<void> }> {
  const proc = spawn(process.execPath, [CLI, 'worker', '--pool', 'cpu', '--slots', String(SLOTS)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout?.on('data', (d: Buffer) => (text = (text + d.toString()).slice(-100_000)));
  proc.stderr?.on('data', (d: Buffer) => (text = (text + d.toString()).slice(-100_000)));
  const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
  const t0 = Date.now();
  while (!text.includes('foldwise worker started')) {
    if (proc.exitCode !== null)
      throw new Error(`foldwise worker exited before it started:\n${text.slice(-3000)}`);
    if (Date.now() - t0 > 120_000)
      throw new Error(`foldwise worker did not start in 120 s:\n${text.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    workerPid: () => childOf(proc.pid!),
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * Idle gaps between consecutive folds on a busy slot, in ms: folds are assigned to the worker's slots in start order
 * (each to the slot free longest), and a gap is counted only while the search still had folds waiting (the next fold
 * on that slot started after this one ended, and some fold of the search started later still).
 */
function slotIdleMs(folds: FoldDoc[], slots: number): number[] {
  const spans = folds
    .map((f) => ({ end: Date.parse(f.createdAt), start: Date.parse(f.createdAt) - f.durationMs }))
    .sort((a, b) => a.start - b.start);
  const free: number[] = Array.from({ length: slots }, () => Number.NEGATIVE_INFINITY);
  const gaps: number[] = [];
  for (const s of spans) {
    let k = 0;
    for (let i = 1; i < free.length; i++) if (free[i]! <= s.start && free[i]! > free[k]!) k = i;
    if (free[k]! > s.start) k = free.indexOf(Math.min(...free));
    if (Number.isFinite(free[k]!)) gaps.push(Math.max(0, s.start - free[k]!));
    free[k] = s.end;
  }
  return gaps;
}

async function runFoldwise(
  label: string,
  dbName: string,
  specFile: string,
  services: { temporal?: number; ferretdb?: number },
): Promise<FoldwiseRun> {
  const { MONGODB_DB: _stackDb, ...stack } = stackEnv();
  const metricsPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...stack,
    TEMPORAL_NAMESPACE: NAMESPACE,
    FOLDWISE_MONGODB_DB: dbName,
    FOLDWISE_METRICS_PORT: String(metricsPort),
    FOLDWISE_LOG_LEVEL: 'info',
  };
  const worker = await startCliWorker(env);
  try {
    const wpid = worker.workerPid();
    const sample = () => ({
      worker: processCpuSeconds(worker.proc.pid) + processCpuSeconds(wpid),
      temporal: processCpuSeconds(services.temporal),
      ferretdb: processCpuSeconds(services.ferretdb),
    });
    const loadBefore = load();
    const c0 = sample();
    const t0 = performance.now();
    const { stdout } = await run(process.execPath, [CLI, 'submit', specFile, '--json'], {
      cwd: ROOT,
      env,
      maxBuffer: 1 << 26,
    });
    const wallS = (performance.now() - t0) / 1000;
    const c1 = sample();
    const loadAfter = load();
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
      searchId: string;
      status: string;
      best?: { score: number };
      refit?: { testMetrics?: Record<string, number>; trainCpuMs?: number } | null;
      counts: { foldsRun: number; foldsSkipped: number };
    };
    if (result.status !== 'completed')
      throw new Error(`${label}: search ${result.searchId} ended ${result.status}`);
    const store = await connectStore({ uri: stack.MONGODB_URI, dbName, appName: 'foldwise-bench-e2e' });
    let folds: FoldDoc[];
    try {
      folds = await store.folds.forSearch(result.searchId);
    } finally {
      await store.close();
    }
    return {
      wallS,
      searchId: result.searchId,
      bestCv: result.best?.score ?? Number.NaN,
      holdout: result.refit?.testMetrics?.['accuracy'] ?? Number.NaN,
      foldsRun: result.counts.foldsRun,
      foldsSkipped: result.counts.foldsSkipped,
      cpu: {
        worker: c1.worker - c0.worker,
        temporal: c1.temporal - c0.temporal,
        ferretdb: c1.ferretdb - c0.ferretdb,
      },
      trainCpuS: folds.reduce((s, f) => s + (f.trainCpuMs ?? Number.NaN), 0) / 1000,
      refitCpuS: (result.refit?.trainCpuMs ?? Number.NaN) / 1000,
      idleMs: slotIdleMs(folds, SLOTS),
      loadBefore,
      loadAfter,
    };
  } finally {
    await worker.stop();
  }
}

async function dropDatabase(dbName: string): Promise<void> {
  const store = await connectStore({ uri: stackEnv().MONGODB_URI, dbName, appName: 'foldwise-bench-e2e' });
  try {
    await store.db.dropDatabase();
  } finally {
    await store.close();
  }
}

function report(label: string, peer: PeerResult, fw: FoldwiseRun): void {
  const perFold = (s: number): string => `${fx((s * 1000) / Math.max(1, fw.foldsRun), 1)} ms`;
  const outside = fw.cpu.worker - fw.trainCpuS - fw.refitCpuS;
  out(`### ${label}`);
  out('');
  out('| | scikit-learn | foldwise |');
  out('| --- | --- | --- |');
  out(`| wall, s | ${fx(peer.wall_s)} | ${fx(fw.wallS)} (**${fx(fw.wallS / peer.wall_s)}×** scikit-learn) |`);
  out(
    `| best CV accuracy | ${fx(peer.best_cv, 4)} | ${fx(fw.bestCv, 4)} (${fx(fw.bestCv - peer.best_cv, 4)}) |`,
  );
  out(`| held-out accuracy | ${fx(peer.holdout, 4)} | ${fx(fw.holdout, 4)} |`);
  out(`| folds | ${peer.n_configs * peer.n_folds} | ${fw.foldsRun} run, ${fw.foldsSkipped} skipped |`);
  out('');
  out(
    `CPU during the search, total (per fold): worker ${fx(fw.cpu.worker)} s (${perFold(fw.cpu.worker)}), of which ` +
      `training threads ${fx(fw.trainCpuS)} s (${perFold(fw.trainCpuS)}) and refit ${fx(fw.refitCpuS)} s; worker ` +
      `outside training ${fx(outside)} s (**${perFold(outside)}**; this process also runs the workflows); Temporal ` +
      `server ${fx(fw.cpu.temporal)} s (${perFold(fw.cpu.temporal)}); FerretDB ${fx(fw.cpu.ferretdb)} s ` +
      `(**${perFold(fw.cpu.ferretdb)}**).`,
  );
  out(
    `Idle time between folds on a busy slot: median **${fx(median(fw.idleMs), 1)} ms**, p90 ` +
      `${fx(quantile(fw.idleMs, 0.9), 1)} ms over ${fw.idleMs.length} gaps. Load ${fw.loadBefore} → ${fw.loadAfter}. ` +
      `Search ${fw.searchId}.`,
  );
  out('');
}

async function main(): Promise<void> {
  const save = process.argv.includes('--save');
  const stack = stackEnv();
  const services = Object.fromEntries(
    (await status()).services.filter((s) => s.pid !== undefined).map((s) => [s.name, s.pid]),
  ) as { temporal?: number; ferretdb?: number };
  await ensureNamespace(stack.TEMPORAL_ADDRESS, NAMESPACE);
  const dir = mkdtempSync(path.join(tmpdir(), 'foldwise-bench-e2e-'));
  try {
    const raw = parseYaml(readFileSync(SPEC_FILE, 'utf8')) as Record<string, unknown>;
    const plain = { ...raw, seed: SEED };
    const racing = { ...plain, racing: { enabled: true, test: 'corrected-t', alpha: 0.05, minFolds: 3 } };
    const plainFile = path.join(dir, 'spec.yaml');
    const racingFile = path.join(dir, 'spec-racing.yaml');
    writeFileSync(plainFile, stringifyYaml(plain));
    writeFileSync(racingFile, stringifyYaml(racing));
    const spec = parseSearchSpec(plain);
    await peerInputs(dir, spec);

    if (CLI_KIND === 'built') {
      console.log('building the CLI and worker (npm run build) …');
      await run('npm', ['run', '--silent', 'build'], { cwd: ROOT, maxBuffer: 1 << 24 });
    }
    const sk = await run(PYTHON, [
      '-c',
      'import sklearn, numpy; print(sklearn.__version__, numpy.__version__)',
    ]);
    out(`## ${new Date().toISOString()} — \`npm run bench:e2e\` (seed ${SEED}, ${SLOTS} slots)`);
    out('');
    out(
      `Job: test/bench/e2e/digits-mlp.yaml (30 MLP configurations × 5 stratified folds on digits, 20 epochs, batch 64, ` +
        `20 % hold-out, refit). foldwise: \`foldwise worker --pool cpu --slots ${SLOTS}\` + \`foldwise submit SPEC --json\` ` +
        `(${CLI_KIND === 'built' ? 'the built CLI, services/cli/dist/main.js, as npm install -g installs it' : 'from the sources under tsx, as npm run foldwise runs it'}) ` +
        `on the local stack (namespace ${NAMESPACE}), timed submit → result. Peer: RandomizedSearchCV(Pipeline(StandardScaler, ` +
        `MLPClassifier), n_jobs=2, refit=True), scikit-learn/numpy ${sk.stdout.trim()}, float32, on foldwise's folds and ` +
        `hold-out (test/bench/e2e/sklearn_peer.py). Load average at start: ${load()}.`,
    );
    out('');
    const runs: Record<string, { peer: PeerResult; fw: FoldwiseRun }> = {};
    for (const part of PARTS) {
      let dbName = DB_FRESH;
      let label = '';
      if (part === 'fresh' || part === 'racing') {
        await dropDatabase(DB_FRESH);
        label = part === 'fresh' ? 'Fresh store' : 'Fresh store, fold racing on (corrected t, minFolds 3)';
      } else if (part === 'aged') {
        dbName = DB_AGED;
        console.log(`preparing the aged store (${AGED_FOLDS} folds of other searches) …`);
        const aged = await ageStore(stack.MONGODB_URI, DB_AGED, AGED_FOLDS, console.log);
        label = `Aged store (${aged.folds} fold documents of other searches already there${aged.seededS > 0 ? `, seeded in ${fx(aged.seededS, 0)} s` : ''})`;
      } else {
        throw new Error(`BENCH_E2E_PARTS: unknown part '${part}' (fresh, aged, racing)`);
      }
      const peer = await runPeer(dir, spec);
      const fw = await runFoldwise(label, dbName, part === 'racing' ? racingFile : plainFile, services);
      runs[part] = { peer, fw };
      report(label, peer, fw);
    }
    const fresh = runs['fresh'];
    const raced = runs['racing'];
    if (fresh && raced) {
      const saved = raced.fw.foldsSkipped / (raced.fw.foldsRun + raced.fw.foldsSkipped);
      out(
        `Racing: ${fx(saved * 100, 1)} % of folds skipped; wall ${fx(raced.fw.wallS)} s vs ${fx(fresh.fw.wallS)} s ` +
          `without racing (${fx((1 - raced.fw.wallS / fresh.fw.wallS) * 100, 1)} % sooner).`,
      );
      out('');
    }
    if (save) {
      appendFileSync(RESULTS, `\n${lines.join('\n')}\n`);
      // The appended tables and lines are written as Prettier writes them, so `npm run format:check` stays clean.
      const prettier = await import('prettier');
      const options = (await prettier.resolveConfig(RESULTS)) ?? {};
      writeFileSync(
        RESULTS,
        await prettier.format(readFileSync(RESULTS, 'utf8'), { ...options, filepath: RESULTS }),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
