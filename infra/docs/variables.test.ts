import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { fieldFacts, readmePath, variablesTable, withTable } from './variables';

test("README's variables table is the one generated from the schemas (npm run docs:variables writes it)", async () => {
  const readme = readFileSync(readmePath, 'utf8');
  assert.equal(readme, await withTable(readme, variablesTable()));
});

test('every variable of every schema has a row, renamed ones say their old name, defaults and choices come from the schema', () => {
  const table = variablesTable();
  for (const name of [
    'TEMPORAL_API_KEY',
    'NATS_CREDS',
    'FOLDWISE_MONGODB_DB',
    'FOLDWISE_SLOTS',
    'FOLDWISE_HOME',
  ])
    assert.match(table, new RegExp(`^\\| \`${name}\` \\|`, 'm'));
  assert.match(table, /^\| `FOLDWISE_METRICS_PORT` \| worker \| `9464` \| .*was `METRICS_PORT`/m);
  assert.match(table, /^\| `FOLDWISE_POOL` \| worker \| `cpu` \| .*\(`cpu`, `gpu`\) \|$/m);
  assert.match(table, /^\| `TEMPORAL_ADDRESS` \| SDK, CLI, worker \|/m);
  assert.doesNotMatch(table, /^\| `(METRICS_PORT|MONGODB_DB|LOG_LEVEL)` \|/m, 'old names have no rows');
});

test('fieldFacts reads defaults and choices through optional, default and preprocess wrappers', () => {
  assert.deepEqual(fieldFacts(z.enum(['a', 'b']).default('a')), { default: 'a', values: ['a', 'b'] });
  assert.deepEqual(fieldFacts(z.preprocess((v) => v, z.string().default('x'))), { default: 'x' });
  assert.deepEqual(fieldFacts(z.coerce.number().optional()), {});
});
