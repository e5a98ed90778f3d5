/**
 * The deployment files (compose, the worker image, the Helm chart, .env.example, docs/deploy.md) set foldwise's
 * variables under their current `FOLDWISE_` names: a deprecated name there would make every production worker print
 * deprecation notices, and a reader copy it. Read as text, so no container engine or helm binary is needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renamedVariables } from '@foldwise/sdk';

const root = resolve(__dirname, '..', '..');
const chart = join(root, 'infra/helm/foldwise');
const files = [
  'docker-compose.yml',
  '.env.example',
  'infra/docker/Dockerfile',
  'infra/helm/foldwise/values.yaml',
  ...readdirSync(join(chart, 'templates')).map((f) => `infra/helm/foldwise/templates/${f}`),
];

/** Uses of a variable name as a name (not as the tail of a longer one such as FOLDWISE_METRICS_PORT). */
const usesOf = (text: string, name: string): number =>
  [...text.matchAll(new RegExp(`(?<![A-Z0-9_])${name}(?![A-Z0-9_])`, 'g'))].length;

test('deployment files set no deprecated variable name', () => {
  const found: string[] = [];
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const old of Object.keys(renamedVariables))
      if (usesOf(text, old) > 0)
        found.push(`${f}: ${old} (now ${renamedVariables[old as keyof typeof renamedVariables]})`);
  }
  assert.deepEqual(found, []);
});

test('the check sees a deprecated name where one is used', () => {
  assert.equal(usesOf('    METRICS_PORT: "9464"', 'METRICS_PORT'), 1);
  assert.equal(usesOf('ENV METRICS_PORT=9464', 'METRICS_PORT'), 1);
  assert.equal(usesOf('- name: METRICS_PORT', 'METRICS_PORT'), 1);
  assert.equal(usesOf('    FOLDWISE_METRICS_PORT: "9464"', 'METRICS_PORT'), 0);
});
