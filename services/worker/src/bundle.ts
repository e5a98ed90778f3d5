import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Configuration } from 'webpack';

/** Repository root (this file lives in services/worker/src). */
export const repoRoot = resolve(__dirname, '../../..');

/** Entry point of the workflow code that the worker bundles. */
export const workflowsPath = join(repoRoot, 'workflows/src/index.ts');

const sourceDirs = [
  'workflows/src',
  'libs/spec/src',
  'libs/metrics/src',
  'libs/compare/src',
  'libs/selection/src',
];

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield p;
  }
}

/**
 * Temporal evaluates the bundle's modules anew for every workflow execution (each gets its own module cache), so
 * whatever the bundle holds is paid per trial. Webpack's side-effect pruning drops the modules a workflow never uses
 * — above all @foldwise/spec's zod schemas, which the workflows do not need (the spec package declares itself free
 * of side effects) — and with them zod itself.
 */
const pruneUnusedModules = (config: Configuration): Configuration => ({
  ...config,
  optimization: { ...config.optimization, sideEffects: true, usedExports: true, providedExports: true },
});

/** Version of the bundling options, part of the bundle's cache key. */
const BUNDLE_OPTIONS = 'prune-unused-modules-1';

/** Hash of every source file that goes into the workflow bundle, and of how it is bundled. */
export function workflowSourceHash(): string {
  const h = createHash('sha256').update(BUNDLE_OPTIONS);
  for (const d of sourceDirs) {
    const abs = join(repoRoot, d);
    if (!existsSync(abs)) continue;
    for (const f of tsFiles(abs)) h.update(f.slice(repoRoot.length)).update(readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}

/** The bundle `npm run build` put beside the built worker; a source checkout has none. */
export const prebuiltBundle = join(__dirname, 'workflow-bundle.js');

/**
 * The workflow code: the bundle built with the package, else (running from sources) bundled once per source version
 * and reused from `.cache/bundles`.
 */
export async function workflowBundle(cacheDir = join(repoRoot, '.cache/bundles')): Promise<{ code: string }> {
  if (existsSync(prebuiltBundle)) return { code: readFileSync(prebuiltBundle, 'utf8') };
  const file = join(cacheDir, `workflows-${workflowSourceHash()}.js`);
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const { code } = await bundleWorkflowCode({ workflowsPath, webpackConfigHook: pruneUnusedModules });
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, code);
  renameSync(tmp, file);
  return { code };
}
