/**
 * foldwise as a user installs it: the packed CLI installed globally into a temporary prefix, the packed SDK installed
 * into a fresh project in a temporary folder, both run with no repository on the path (no tsx, TypeScript or wabt
 * reachable), against the local stack in a namespace and database of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureNamespace } from '../support/namespaces';
import { stackEnv } from '../support/stack';

const repo = resolve(__dirname, '..', '..');
const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const namespace = 'foldwise-install';
let tmp: string;
let prefix: string;
let project: string;
let work: string;
let tarballs: string[] = [];
let npmCache: string;
let npmUserConfig: string;
const started: ChildProcess[] = [];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command to its end; rejects after `timeoutMs` (killing it). */
function sh(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<Ran> {
  const t0 = Date.now();
  return new Promise((done, fail) => {
    const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(
        new Error(
          `${cmd} ${args.join(' ')}: no end within ${(opts.timeoutMs ?? 0) / 1000}s\n${stderr.slice(-3000)}`,
        ),
      );
    }, opts.timeoutMs ?? 300_000);
    proc.once('error', fail);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** A package's own files (not its node_modules), relative to it. */
function ownFiles(dir: string, at = ''): string[] {
  return readdirSync(join(dir, at)).flatMap((name) => {
    const rel = join(at, name);
    if (name === 'node_modules') return [];
    return statSync(join(dir, rel)).isDirectory() ? ownFiles(dir, rel) : [rel];
  });
}

const show = (what: string, r: Ran): string =>
  `${what}: exit ${r.code}\nstdout:\n${r.stdout.slice(-3000)}\nstderr:\n${r.stderr.slice(-3000)}`;

/** How this machine reaches the registry (certificate authorities, proxies), which a user's shell has too. */
const networkVariables = [
  'NODE_EXTRA_CA_CERTS',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
];

/**
 * The environment of everything run as a user: PATH holds only the global prefix's bin, node's folder and the system's
 * (not the repository's node_modules/.bin that `npm test` adds); the user's npm configuration and network settings
 * (registry, CA file, proxies); the stack's addresses, the database in the URI.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const stack = stackEnv();
  const network = Object.fromEntries(
    networkVariables.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  return {
    ...network,
    PATH: [join(prefix, 'bin'), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: join(tmp, 'home'),
    LANG: 'C.UTF-8',
    npm_config_cache: npmCache,
    npm_config_userconfig: npmUserConfig,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: namespace,
    MONGODB_URI: `${stack.MONGODB_URI.replace(/\/+$/, '')}/foldwise_install_${runId}`,
    NATS_URL: stack.NATS_URL,
    ...extra,
  };
}

const tarball = (name: string): string => {
  const f = tarballs.find((t) => basename(t).startsWith(`foldwise-${name}-`));
  assert.ok(f, `a tarball of @foldwise/${name} among ${tarballs.join(', ')}`);
  return f;
};

const spec = {
  name: 'installed',
  task: 'classification',
  dataset: { path: 'flowers.csv', target: 'target' },
  cv: { kind: 'stratified', k: 3 },
  metrics: { primary: 'accuracy', report: ['f1_macro'] },
  models: [
    {
      family: 'logistic',
      params: { epochs: 8, batchSize: 16 },
      space: { learningRate: { type: 'logUniform', low: 0.01, high: 0.3 } },
    },
    {
      family: 'mlp',
      params: { epochs: 8, batchSize: 16, units: 8 },
      space: { learningRate: { type: 'logUniform', low: 0.005, high: 0.1 } },
    },
  ],
  strategy: { kind: 'random' },
  budget: { trials: 3, parallelism: 3 },
  seed: 11,
};

/** The SDK script a user writes in their own project (an ES module importing the CommonJS package): ten lines. */
const sdkScript = `import { readFileSync } from 'node:fs';
import { FoldwiseClient } from '@foldwise/sdk';

const client = await FoldwiseClient.connect(); // TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, MONGODB_URI, NATS_URL
const search = await client.submit(JSON.parse(readFileSync('search.json', 'utf8')));
const { best } = await search.result();
const folds = [];
for await (const fold of search.folds()) folds.push(fold);
console.log(JSON.stringify({ searchId: search.searchId, best, folds }));
await client.close();
`;

/** A typed use of the SDK: a spec literal checked by `defineSearch`, rows read from `trials()`. */
const typedScript = `import { FoldwiseClient, defineSearch, type TrialRow } from '@foldwise/sdk';
const spec = defineSearch({
  name: 'typed',
  dataset: { builtin: 'iris' },
  cv: { kind: 'stratified', k: 3 },
  metrics: { primary: 'accuracy' },
  models: [{ family: 'mlp', space: { units: { type: 'choice', values: [8, 16] } } }],
  budget: { trials: 2 },
});
export async function rows(): Promise<TrialRow[]> {
  const client = await FoldwiseClient.connect({ namespace: 'default' });
  const out: TrialRow[] = [];
  for await (const t of (await client.submit(spec)).trials()) out.push(t);
  const index: number = out[0]?.trialIndex ?? -1;
  return index >= 0 ? out : [];
}
`;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'foldwise-install-'));
  prefix = join(tmp, 'prefix');
  project = join(tmp, 'project');
  work = join(tmp, 'work');
  for (const d of [prefix, project, work, join(tmp, 'home')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-analysis', private: true }));
  const cache = await sh('npm', ['config', 'get', 'cache'], { cwd: repo, env: process.env });
  npmCache = cache.stdout.trim();
  const userconfig = await sh('npm', ['config', 'get', 'userconfig'], { cwd: repo, env: process.env });
  npmUserConfig = userconfig.stdout.trim();
  await ensureNamespace(stackEnv().TEMPORAL_ADDRESS, namespace);
});

after(async () => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  if (tmp && !process.env['FOLDWISE_KEEP_INSTALL']) rmSync(tmp, { recursive: true, force: true });
});

test(
  'npm run pack builds and packs the published packages, each with exports, types, files and a version',
  { timeout: 600_000 },
  async (t) => {
    const r = await sh(
      process.execPath,
      ['--import', 'tsx', 'infra/build/pack.ts', '--out', join(tmp, 'tarballs')],
      {
        cwd: repo,
        env: process.env,
        timeoutMs: 600_000,
      },
    );
    assert.equal(r.code, 0, show('npm run pack', r));
    t.diagnostic(`build and pack: ${r.seconds.toFixed(0)} s`);
    tarballs = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.endsWith('.tgz'));
    assert.deepEqual(tarballs.map((f) => basename(f).replace(/-\d+\.\d+\.\d+\.tgz$/, '')).sort(), [
      'foldwise-cli',
      'foldwise-compare',
      'foldwise-metrics',
      'foldwise-sdk',
      'foldwise-selection',
      'foldwise-spec',
    ]);
    for (const f of tarballs) {
      const list = await sh('tar', ['-xzOf', f, 'package/package.json'], { cwd: tmp, env: process.env });
      const m = JSON.parse(list.stdout) as {
        name: string;
        version: string;
        private?: boolean;
        types: string;
        exports: Record<string, { types: string; default: string }>;
        files: string[];
        dependencies: Record<string, string>;
      };
      assert.match(m.version, /^\d+\.\d+\.\d+/, f);
      assert.equal(m.private, undefined, `${m.name} is publishable`);
      assert.equal(m.types, './index.d.ts');
      assert.deepEqual(m.exports['.'], { types: './index.d.ts', default: './index.js' });
      assert.ok(
        m.files.includes('index.js') && m.files.includes('index.d.ts'),
        `${m.name} files: ${m.files.join(', ')}`,
      );
      for (const dev of ['tsx', 'typescript', 'wabt', 'playwright-core'])
        assert.equal(m.dependencies[dev], undefined, `${m.name} does not depend on ${dev}`);
      for (const dep of Object.keys(m.dependencies))
        if (dep.startsWith('@foldwise/'))
          assert.ok(
            tarballs.some((x) => basename(x).startsWith(`foldwise-${dep.slice('@foldwise/'.length)}-`)),
            `${m.name} depends on ${dep}, which is published too`,
          );
    }
  },
);

test(
  'the CLI installed globally runs --version, a worker and a search from a folder outside the repository, and the SDK in a fresh project gets the same result',
  { timeout: 900_000 },
  async (t) => {
    assert.ok(tarballs.length > 0, 'the packing test ran');
    const env = userEnv();

    const install = await sh(
      'npm',
      [
        'install',
        '--global',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        tarball('cli'),
      ],
      { cwd: work, env, timeoutMs: 600_000 },
    );
    assert.equal(install.code, 0, show('npm install --global', install));
    t.diagnostic(`global install of the CLI: ${install.seconds.toFixed(0)} s`);
    const installed = join(prefix, 'lib', 'node_modules', '@foldwise', 'cli');
    assert.ok(existsSync(join(prefix, 'bin', 'foldwise')), 'foldwise is on the prefix bin');
    const sources = ownFiles(installed).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    assert.deepEqual(sources, [], 'the installed CLI holds no TypeScript sources');
    const reach = await sh(
      process.execPath,
      [
        '-e',
        "for (const m of ['tsx', 'typescript', 'wabt']) { try { require.resolve(m); console.log(m); } catch {} }",
      ],
      { cwd: installed, env },
    );
    assert.equal(reach.stdout.trim(), '', `reachable from the installed CLI: ${reach.stdout}`);
    assert.ok(statSync(join(installed, 'kernels.wasm')).size > 1000, 'kernels.wasm ships with the CLI');

    const version = await sh('foldwise', ['--version'], { cwd: work, env });
    assert.equal(version.code, 0, show('foldwise --version', version));
    assert.equal(version.stdout.trim(), '0.1.0');

    const sdkInstall = await sh(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        ...['sdk', 'spec', 'compare', 'metrics', 'selection'].map(tarball),
      ],
      { cwd: project, env, timeoutMs: 300_000, input: '' },
    );
    assert.equal(sdkInstall.code, 0, show('npm install (SDK)', sdkInstall));
    t.diagnostic(`SDK install into a fresh project: ${sdkInstall.seconds.toFixed(0)} s`);
    assert.ok(
      !existsSync(join(project, 'node_modules', '@tensorflow')),
      'the SDK installs without TensorFlow.js',
    );

    const worker = spawn('foldwise', ['worker', '--slots', '2'], {
      cwd: work,
      env: userEnv({ FOLDWISE_METRICS_PORT: '0' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(worker);
    let workerOut = '';
    const workerExit = new Promise<number | null>((ok) => worker.once('exit', (code) => ok(code)));
    await new Promise<void>((ok, fail) => {
      const seen = (d: Buffer): void => {
        workerOut += d.toString();
        if (workerOut.includes('foldwise worker started')) ok();
      };
      worker.stdout.on('data', seen);
      worker.stderr.on('data', seen);
      void workerExit.then((code) =>
        fail(new Error(`worker exited with ${code}:\n${workerOut.slice(-3000)}`)),
      );
      setTimeout(() => fail(new Error(`no worker within 120 s:\n${workerOut.slice(-3000)}`)), 120_000);
    });
    assert.doesNotMatch(workerOut, /tsx|wabt/);

    copyFileSync(join(repo, 'libs', 'datasets', 'data', 'iris.csv'), join(work, 'flowers.csv'));
    copyFileSync(join(repo, 'libs', 'datasets', 'data', 'iris.csv'), join(project, 'flowers.csv'));
    writeFileSync(join(work, 'search.json'), JSON.stringify(spec, null, 2));
    writeFileSync(join(project, 'search.json'), JSON.stringify(spec, null, 2));
    const submit = await sh('foldwise', ['submit', 'search.json', '--json'], {
      cwd: work,
      env,
      timeoutMs: 300_000,
    });
    assert.equal(submit.code, 0, `${show('foldwise submit', submit)}\nworker:\n${workerOut.slice(-3000)}`);
    t.diagnostic(`foldwise submit --json: ${submit.seconds.toFixed(0)} s`);
    const cliResult = JSON.parse(submit.stdout) as {
      searchId: string;
      status: string;
      best: { trialId: string; params: Record<string, unknown>; score: number };
      counts: { completed: number };
    };
    assert.equal(cliResult.status, 'completed');
    assert.equal(cliResult.counts.completed, 3);

    const status = await sh('foldwise', ['status', cliResult.searchId], { cwd: work, env });
    assert.equal(status.code, 0, show('foldwise status', status));
    assert.match(status.stdout, /^status\s+completed$/m);
    const exported = await sh('foldwise', ['export', cliResult.searchId, '--format', 'jsonl'], {
      cwd: work,
      env,
    });
    assert.equal(exported.code, 0, show('foldwise export', exported));
    const cliFolds = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(cliFolds.length, 9);

    writeFileSync(join(project, 'search.mjs'), sdkScript);
    assert.ok(sdkScript.trim().split('\n').length <= 10, 'the SDK script is ten lines');
    const sdk = await sh(process.execPath, ['search.mjs'], { cwd: project, env, timeoutMs: 300_000 });
    assert.equal(sdk.code, 0, `${show('node search.mjs', sdk)}\nworker:\n${workerOut.slice(-3000)}`);
    t.diagnostic(`SDK script: ${sdk.seconds.toFixed(0)} s`);
    const sdkResult = JSON.parse(sdk.stdout) as {
      searchId: string;
      best: { params: Record<string, unknown>; score: number };
      folds: Record<string, unknown>[];
    };
    assert.notEqual(sdkResult.searchId, cliResult.searchId, 'a second search');
    assert.deepEqual(sdkResult.best.params, cliResult.best.params, 'the same best configuration');
    assert.equal(sdkResult.best.score, cliResult.best.score, 'the same best score');
    const key = (f: Record<string, unknown>) => `${String(f['trialIndex'])}:${String(f['fold'])}`;
    const scores = (rows: Record<string, unknown>[]) =>
      Object.fromEntries(rows.map((f) => [key(f), [f['param_learningRate'], f['accuracy'], f['f1_macro']]]));
    assert.deepEqual(scores(sdkResult.folds), scores(cliFolds), 'the same folds, configurations and scores');

    writeFileSync(join(project, 'typed.ts'), typedScript);
    writeFileSync(
      join(project, 'typo.ts'),
      typedScript
        .replace("kind: 'stratified'", "kind: 'stratifed'")
        .replace('budget: { trials: 2 }', 'budget: { trails: 2 }'),
    );
    const tsc = (file: string) => {
      const config = `tsconfig.${basename(file, '.ts')}.json`;
      const compilerOptions = {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        types: [],
      };
      writeFileSync(join(project, config), JSON.stringify({ compilerOptions, files: [file] }));
      return sh(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], {
        cwd: project,
        env,
        timeoutMs: 120_000,
      });
    };
    const typed = await tsc('typed.ts');
    assert.equal(typed.code, 0, show('tsc typed.ts (against the installed SDK)', typed));
    const typo = await tsc('typo.ts');
    assert.notEqual(typo.code, 0, 'a misspelled spec does not type-check');
    assert.match(typo.stdout, /stratifed/);
    assert.match(typo.stdout, /trails/);

    worker.kill('SIGTERM');
    assert.equal(await workerExit, 0, `the worker stops cleanly on SIGTERM:\n${workerOut.slice(-2000)}`);
  },
);
