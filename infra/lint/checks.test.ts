import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import * as prettier from 'prettier';

const root = resolve(__dirname, '../..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const trackedTs = () =>
  execFileSync('git', ['ls-files', '*.ts'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);

/** Runs the real `tsc` on `sources` (name → text) placed in a throw-away folder of libs/metrics/src, with the
 * repository's tsconfig.json and only those files; returns tsc's exit status and output, paths made relative. */
function typecheckProbe(sources: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(root, 'libs/metrics/src', 'typecheck-probe-'));
  try {
    for (const [name, text] of Object.entries(sources)) writeFileSync(join(dir, name), text);
    const config = { extends: '../../../../tsconfig.json', include: [], files: Object.keys(sources) };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
    const r = spawnSync(bin('tsc'), ['-p', join(dir, 'tsconfig.json'), '--noEmit', '--pretty', 'false'], {
      cwd: root,
      encoding: 'utf8',
    });
    return { status: r.status, output: `${r.stdout}${r.stderr}`.replaceAll(`${relative(root, dir)}/`, '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the real `prettier --check` on `source` as if it were the file at `path` (relative to the root). */
function formatProbe(path: string, source: string): number | null {
  return spawnSync(bin('prettier'), ['--check', '--stdin-filepath', path], { cwd: root, input: source })
    .status;
}

test('a type error fails tsc with the repository settings, and the same code without it passes', () => {
  const { status, output } = typecheckProbe({
    'wrong.ts': "export const n: number = 'one';\n",
    'unchecked-index.ts': 'const xs: number[] = [1];\nexport const first: number = xs[0];\n',
    'right.ts':
      'export const n: number = 1;\nconst xs: number[] = [1];\nexport const first: number = xs[0] ?? 0;\n',
  });
  assert.notEqual(status, 0, output);
  assert.match(output, /^wrong\.ts\(1,14\): error TS2322/m);
  // noUncheckedIndexedAccess is on: the probe ran with the repository's strict settings, not tsc's defaults.
  assert.match(output, /^unchecked-index\.ts\(2,14\): error TS2322/m);
  assert.doesNotMatch(output, /^right\.ts/m);
  assert.equal(typecheckProbe({ 'right.ts': 'export const n: number = 1;\n' }).status, 0);
});

test('npm run typecheck covers every TypeScript file in the repository', () => {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) =>
        assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    },
  );
  const checked = new Set(parsed?.fileNames);
  assert.deepEqual(
    trackedTs().filter((f) => !checked.has(join(root, f))),
    [],
  );
});

test('a formatting error fails prettier --check, and the formatted code passes', () => {
  assert.equal(formatProbe('libs/metrics/src/probe.ts', 'export const a = "x"\n'), 1);
  assert.equal(formatProbe('workflows/src/probe.ts', 'export function f( ) {return 1}\n'), 1);
  assert.equal(formatProbe('libs/metrics/src/probe.ts', "export const a = 'x';\n"), 0);
});

test('npm run format:check covers every TypeScript file in the repository', async () => {
  const ignored: string[] = [];
  for (const file of trackedTs()) {
    const info = await prettier.getFileInfo(join(root, file), { ignorePath: join(root, '.prettierignore') });
    if (info.ignored || info.inferredParser !== 'typescript') ignored.push(file);
  }
  assert.deepEqual(ignored, []);
});

test('CI runs typecheck, lint (no warnings allowed) and format:check before the tests', () => {
  const scripts = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  assert.match(scripts.lint ?? '', /^eslint \. .*--max-warnings 0/);
  const ci = readFileSync(join(root, '.ci/run'), 'utf8').split('\n');
  const line = (re: RegExp) => ci.findIndex((l) => re.test(l));
  const tests = line(/^npm test\b/);
  for (const script of ['typecheck', 'lint', 'format:check']) {
    const at = line(new RegExp(`^step .* npm run (-s |--silent )?${script}$`));
    assert.ok(at >= 0 && at < tests, `.ci/run has no step running npm run ${script} before npm test`);
  }
});
