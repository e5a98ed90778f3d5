import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';

const root = resolve(__dirname, '../..');

/** Lints a throw-away file placed inside `dir` (relative to the repository root) and returns the rule ids hit. */
async function lintProbe(dir: string, source: string): Promise<string[]> {
  const tmp = mkdtempSync(join(root, dir, 'lint-probe-'));
  const file = join(tmp, 'probe.ts');
  writeFileSync(file, source);
  try {
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintFiles([file]);
    return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

test('workflow code importing mongodb fails lint on module boundaries', async () => {
  const rules = await lintProbe(
    'workflows/src',
    "import { MongoClient } from 'mongodb';\nexport const c = MongoClient;\n",
  );
  assert.ok(rules.includes('@nx/enforce-module-boundaries'), `rules hit: ${rules.join(', ')}`);
});

test('workflow code importing @temporalio/activity or @tensorflow fails lint', async () => {
  const rules = await lintProbe(
    'workflows/src',
    "import { heartbeat } from '@temporalio/activity';\nimport * as tf from '@tensorflow/tfjs';\nexport const h = [heartbeat, tf];\n",
  );
  assert.equal(
    rules.filter((r) => r === '@nx/enforce-module-boundaries').length,
    2,
    `rules hit: ${rules.join(', ')}`,
  );
});

test('a pure library importing the store library fails lint', async () => {
  const rules = await lintProbe(
    'libs/metrics/src',
    "import * as s from '@foldwise/store';\nexport const x = s;\n",
  );
  assert.ok(rules.includes('@nx/enforce-module-boundaries'), `rules hit: ${rules.join(', ')}`);
});

test('an activity module importing mongodb passes the boundary rule', async () => {
  const rules = await lintProbe(
    'activities/src',
    "import { MongoClient } from 'mongodb';\nexport const c = MongoClient;\n",
  );
  assert.ok(!rules.includes('@nx/enforce-module-boundaries'), `rules hit: ${rules.join(', ')}`);
});

test('a floating promise fails lint', async () => {
  const rules = await lintProbe(
    'libs/metrics/src',
    'async function f(): Promise<void> {}\nexport function g(): void { f(); }\n',
  );
  assert.ok(rules.includes('@typescript-eslint/no-floating-promises'), `rules hit: ${rules.join(', ')}`);
});
