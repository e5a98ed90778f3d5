import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as compare from './index';

const sources = readdirSync(__dirname).filter(
  (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.testutil.ts'),
);

void test('library sources import only their own modules, so they run in the Temporal workflow sandbox', () => {
  assert.ok(sources.length >= 10);
  for (const file of sources) {
    const text = readFileSync(join(__dirname, file), 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^;]*?from\s+'([^']+)'/g)) {
      assert.match(m[1] ?? '', /^\.\/[a-z-]+$/, `${file} imports ${m[1]}`);
    }
    assert.doesNotMatch(text, /\brequire\(|Math\.random|Date\.now|new Date|\bprocess\.|globalThis/, file);
  }
});

void test('every exported function and constant is reachable from the package index', () => {
  for (const name of [
    'pairedTTest',
    'correctedResampledTTest',
    'wilcoxonSignedRank',
    'friedmanTest',
    'nemenyi',
    'mcnemarTest',
    'bayesianCorrelatedTTest',
    'holm',
    'bonferroni',
    'meanCi',
    'bootstrapCi',
    'rankData',
    'logGamma',
    'betaInc',
    'gammaIncLower',
  ]) {
    assert.equal(typeof (compare as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(typeof compare.studentT.ppf, 'function');
  assert.equal(typeof compare.normal.cdf, 'function');
  assert.equal(typeof compare.chiSquare.sf, 'function');
  assert.equal(compare.Alternative.TwoSided, 'two-sided');
});
