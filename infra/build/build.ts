/**
 * `npm run build`: builds every workspace package into `<package>/dist`, a folder npm can pack and install.
 *
 * - `.d.ts` for every package from one `tsc -p tsconfig.build.json` (declarations only);
 * - JavaScript with esbuild, one CommonJS bundle per entry point: a package's own code plus the workspace packages
 *   that are not published, with published workspace packages and third-party packages left to `require`;
 * - `kernels.wasm`, compiled from `libs/models/src/simd/kernels.wat`, beside every bundle that holds the kernels;
 * - the workflow code bundled once (`workflow-bundle.js`) beside every bundle that starts a worker;
 * - the built-in datasets (`data/`) beside every bundle that loads them;
 * - a `package.json` with `exports`, `types`, `files`, the version, and the dependencies the bundles and
 *   declarations actually import (versions from the root package.json).
 *
 * Nothing built needs tsx, TypeScript or wabt at run time. `npm run pack` packs the published ones.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import initWabt from 'wabt';

/** Repository root. */
export const root = resolve(__dirname, '..', '..');

/** One workspace package and how it is built. */
export interface Target {
  /** Folder under the repository root, e.g. `libs/sdk`. */
  dir: string;
  /** Published to npm: other packages' bundles leave it to `require` (unless they inline everything). */
  publish: boolean;
  /** Output name (without `.js`) → entry source, relative to the repository root. */
  entries: Record<string, string>;
  /** Inline every workspace package, published or not (a self-contained command). */
  inlineAll?: boolean;
  /** Executables: command → output name. */
  bin?: Record<string, string>;
  /** Packages loaded at run time by a name esbuild cannot see (`require(variable)`). */
  runtimeDependencies?: string[];
}

const index = (dir: string): Record<string, string> => ({ index: `${dir}/src/index.ts` });

/** Every package the build emits, in the order it reports them. */
export const targets: Target[] = [
  { dir: 'libs/spec', publish: true, entries: index('libs/spec') },
  { dir: 'libs/metrics', publish: true, entries: index('libs/metrics') },
  { dir: 'libs/compare', publish: true, entries: index('libs/compare') },
  { dir: 'libs/selection', publish: true, entries: index('libs/selection') },
  { dir: 'libs/sdk', publish: true, entries: index('libs/sdk') },
  { dir: 'libs/datasets', publish: false, entries: index('libs/datasets') },
  { dir: 'libs/store', publish: false, entries: index('libs/store') },
  { dir: 'libs/events', publish: false, entries: index('libs/events') },
  { dir: 'libs/telemetry', publish: false, entries: index('libs/telemetry') },
  {
    dir: 'libs/models',
    publish: false,
    entries: { ...index('libs/models'), 'pool-worker': 'libs/models/src/pool-worker.ts' },
    runtimeDependencies: [
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-backend-webgpu',
      'webgpu',
    ],
  },
  { dir: 'workflows', publish: false, entries: index('workflows') },
  { dir: 'activities', publish: false, entries: index('activities') },
  {
    dir: 'services/worker',
    publish: false,
    entries: {
      ...index('services/worker'),
      main: 'services/worker/src/main.ts',
      'pool-worker': 'libs/models/src/pool-worker.ts',
    },
    runtimeDependencies: [
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-backend-webgpu',
      'webgpu',
    ],
  },
  {
    dir: 'services/cli',
    publish: true,
    inlineAll: true,
    entries: {
      ...index('services/cli'),
      main: 'services/cli/src/main.ts',
      worker: 'services/worker/src/main.ts',
      'pool-worker': 'libs/models/src/pool-worker.ts',
    },
    bin: { foldwise: 'main', 'foldwise-worker': 'worker' },
    runtimeDependencies: [
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-backend-webgpu',
      'webgpu',
    ],
  },
];

/** Packages that are build or test tools: a bundle that reaches one at run time is a build error. */
const devOnly = new Set(['tsx', 'typescript', 'wabt', 'esbuild', 'playwright-core', 'fast-check']);

interface Manifest {
  name: string;
  version: string;
  description?: string;
  license?: string;
  private?: boolean;
  sideEffects?: boolean;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const rootManifest = readJson<Manifest>(join(root, 'package.json'));
const manifestOf = (t: Target): Manifest => readJson<Manifest>(join(root, t.dir, 'package.json'));
const byName = new Map(targets.map((t) => [manifestOf(t).name, t]));

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const isBuiltin = (s: string): boolean => s.startsWith('node:') || builtinModules.includes(packageOf(s));

/** Whether a target's bundles inline workspace package `name` (else `require` it as a dependency). */
const inlines = (t: Target, name: string): boolean => {
  const other = byName.get(name);
  if (!other) throw new Error(`${t.dir}: imports ${name}, which is not a workspace package the build knows`);
  return other === t || t.inlineAll === true || !other.publish;
};

const wabtStub = `module.exports = () => {
  throw new Error('kernels.wasm is missing beside this file: wabt is not shipped (rebuild with npm run build)');
};`;

/** Leaves third-party and published workspace packages to `require`, recording each; stubs wabt out. */
function externals(t: Target, seen: Set<string>): Plugin {
  return {
    name: 'foldwise-externals',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (isBuiltin(args.path)) return { external: true };
        if (args.path === 'wabt') return { path: 'wabt', namespace: 'foldwise-stub' };
        const pkg = packageOf(args.path);
        if (pkg.startsWith('@foldwise/') && inlines(t, pkg)) return undefined;
        seen.add(pkg);
        return { external: true };
      });
      b.onLoad({ filter: /.*/, namespace: 'foldwise-stub' }, () => ({ contents: wabtStub, loader: 'js' }));
    },
  };
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

const run = (cmd: string, args: string[]): void => {
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
};

/** Declarations of every package into dist/types (one program, so cross-package types resolve once). */
function emitDeclarations(): void {
  rmSync(join(root, 'dist', 'types'), { recursive: true, force: true });
  run(process.execPath, [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    'tsconfig.build.json',
  ]);
}

/** Compiles kernels.wat (SIMD, bulk memory) into bytes, validated. */
async function compileKernels(): Promise<Uint8Array> {
  const wabt = await initWabt();
  const file = join(root, 'libs', 'models', 'src', 'simd', 'kernels.wat');
  const parsed = wabt.parseWat(file, readFileSync(file, 'utf8'), { simd: true, bulk_memory: true });
  try {
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

/** The workflow bundle, built once with the worker's own bundling options. */
async function bundleWorkflows(): Promise<string> {
  // eslint-disable-next-line @nx/enforce-module-boundaries -- the build bundles workflows with the worker's own options
  const { workflowBundle } = await import('@foldwise/worker');
  return (await workflowBundle(join(root, '.cache', 'bundles'))).code;
}

const declarationSpecifier = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\2/g;

/**
 * Copies a target's declarations into its dist, and those of each workspace package it inlines into
 * `dist/_internal/<name>`, rewriting `@foldwise/<name>` to the copy; returns the packages the declarations import.
 */
function assembleDeclarations(t: Target, out: string): Set<string> {
  const imported = new Set<string>();
  const copied = new Map<string, string>();
  const copyTree = (pkgDir: string, to: string): string[] => {
    const from = join(root, 'dist', 'types', pkgDir, 'src');
    if (!existsSync(from)) throw new Error(`${pkgDir}: no declarations in ${relative(root, from)}`);
    const files: string[] = [];
    for (const f of walk(from)) {
      if (!f.endsWith('.d.ts')) continue;
      const dest = join(to, relative(from, f));
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(f, dest);
      files.push(dest);
    }
    return files;
  };
  const queue = copyTree(t.dir, out);
  while (queue.length > 0) {
    const file = queue.pop()!;
    const text = readFileSync(file, 'utf8').replace(
      declarationSpecifier,
      (whole, lead: string, q, spec: string) => {
        if (spec.startsWith('.')) {
          if (relative(out, resolve(dirname(file), spec)).startsWith('..'))
            throw new Error(`${relative(root, file)}: imports ${spec}, outside the package`);
          return whole;
        }
        if (isBuiltin(spec)) return whole;
        const pkg = packageOf(spec);
        if (!pkg.startsWith('@foldwise/') || !inlines(t, pkg) || byName.get(pkg) === t) {
          if (byName.get(pkg) === t)
            throw new Error(`${relative(root, file)}: imports its own package ${spec}`);
          imported.add(pkg);
          return whole;
        }
        if (spec !== pkg) throw new Error(`${relative(root, file)}: deep import ${spec}`);
        let dest = copied.get(pkg);
        if (!dest) {
          dest = join(out, '_internal', pkg.slice('@foldwise/'.length));
          copied.set(pkg, dest);
          queue.push(...copyTree(byName.get(pkg)!.dir, dest));
        }
        let rel = relative(dirname(file), join(dest, 'index'));
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return `${lead}${q}${rel}${q}`;
      },
    );
    writeFileSync(file, text);
  }
  return imported;
}

/** The version range of a third-party package as the root package.json declares it, and which list it is in. */
function versionOf(pkg: string): { range: string; optional: boolean } | undefined {
  const opt = rootManifest.optionalDependencies?.[pkg];
  if (opt) return { range: opt, optional: true };
  const dep = rootManifest.dependencies?.[pkg];
  if (dep) return { range: dep, optional: false };
  return undefined;
}

/** Writes the package.json of a built package: what it needs at run time, its entry points, its files. */
function writeManifest(t: Target, out: string, requires: Set<string>, typeImports: Set<string>): void {
  const own = manifestOf(t);
  const dependencies: Record<string, string> = {};
  const optionalDependencies: Record<string, string> = {};
  const needed = [...new Set([...requires, ...typeImports, ...(t.runtimeDependencies ?? [])])].sort();
  for (const pkg of needed) {
    if (devOnly.has(pkg)) throw new Error(`${t.dir}: the built code needs ${pkg}, a build/test tool`);
    const internal = byName.get(pkg);
    if (internal) {
      dependencies[pkg] = manifestOf(internal).version;
      continue;
    }
    const v = versionOf(pkg);
    if (!v) {
      if (typeImports.has(pkg) && !requires.has(pkg) && rootManifest.devDependencies?.[pkg]) continue;
      throw new Error(`${t.dir}: needs ${pkg}, which the root package.json does not list as a dependency`);
    }
    (v.optional ? optionalDependencies : dependencies)[pkg] = v.range;
  }
  const files = readdirSync(out).filter((f) => f !== 'package.json');
  const manifest = {
    name: own.name,
    version: own.version,
    description: own.description ?? rootManifest.description,
    license: own.license ?? rootManifest.license,
    ...(t.publish ? {} : { private: true }),
    type: 'commonjs',
    main: './index.js',
    types: './index.d.ts',
    exports: {
      '.': { types: './index.d.ts', default: './index.js' },
      './package.json': './package.json',
    },
    ...(t.bin ? { bin: Object.fromEntries(Object.entries(t.bin).map(([k, v]) => [k, `./${v}.js`])) } : {}),
    files,
    ...(own.sideEffects === false ? { sideEffects: false } : {}),
    engines: rootManifest.engines,
    dependencies,
    ...(Object.keys(optionalDependencies).length > 0 ? { optionalDependencies } : {}),
  };
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Builds one target into `<dir>/dist`. */
async function buildTarget(t: Target, assets: { kernels: Uint8Array; workflows: string }): Promise<void> {
  const out = join(root, t.dir, 'dist');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const requires = new Set<string>();
  const bins = new Set(Object.values(t.bin ?? {}));
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(t.entries).map(([k, v]) => [k, join(root, v)])),
    outdir: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [externals(t, requires)],
  });
  const inputs = new Set(Object.keys(result.metafile.inputs).map((p) => relative(root, resolve(root, p))));
  for (const name of bins) {
    const file = join(out, `${name}.js`);
    writeFileSync(file, `#!/usr/bin/env node\n${readFileSync(file, 'utf8')}`, { mode: 0o755 });
  }
  if (inputs.has('libs/models/src/simd/kernels.ts')) writeFileSync(join(out, 'kernels.wasm'), assets.kernels);
  if (inputs.has('services/worker/src/bundle.ts'))
    writeFileSync(join(out, 'workflow-bundle.js'), assets.workflows);
  if (inputs.has('libs/datasets/src/builtins.ts')) {
    cpSync(join(root, 'libs', 'datasets', 'data'), join(out, 'data'), { recursive: true });
  }
  const readme = join(root, t.dir, 'README.md');
  if (existsSync(readme)) copyFileSync(readme, join(out, 'README.md'));
  const typeImports = assembleDeclarations(t, out);
  writeManifest(t, out, requires, typeImports);
  reportSize(t, out, result.metafile);
}

function reportSize(t: Target, out: string, meta: Metafile): void {
  const js = Object.entries(meta.outputs)
    .filter(([f]) => f.endsWith('.js'))
    .reduce((n, [, o]) => n + o.bytes, 0);
  process.stdout.write(
    `build: ${t.dir.padEnd(16)} ${(js / 1024).toFixed(0).padStart(6)} KiB js → ${relative(root, out)}\n`,
  );
}

/** Builds every target; `only` restricts it to some package folders (the declarations are always emitted). */
export async function buildAll(only?: string[]): Promise<void> {
  const started = Date.now();
  emitDeclarations();
  const [kernels, workflows] = await Promise.all([compileKernels(), bundleWorkflows()]);
  const chosen = only ? targets.filter((t) => only.includes(t.dir)) : targets;
  for (const t of chosen) await buildTarget(t, { kernels, workflows });
  process.stdout.write(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (require.main === module) {
  buildAll(process.argv.length > 2 ? process.argv.slice(2) : undefined).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
