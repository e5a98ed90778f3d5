import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBuiltin } from './builtins';
import { loadDataset } from './resolve';

test('a resolved built-in reference loads the same cached dataset as loadBuiltin, subset and seed included', async () => {
  assert.equal(await loadDataset({ builtin: 'iris' }), await loadBuiltin('iris'));
  assert.equal(
    await loadDataset({ builtin: 'wine', subset: 60 }, { seed: 4 }),
    await loadBuiltin('wine', { subset: 60, seed: 4 }),
  );
});

test('an unknown built-in or a staged reference without a database is refused with the field named', async () => {
  await assert.rejects(
    loadDataset({ builtin: 'cifar10' }),
    /^DatasetError: dataset\.builtin: unknown dataset 'cifar10'; built-ins are iris, /,
  );
  const sha256 = 'a'.repeat(64);
  await assert.rejects(
    loadDataset({ sha256, format: 'csv', target: 'y', missing: 'reject' }),
    new RegExp(`dataset\\.sha256: loading staged dataset ${sha256} needs a database and a cacheDir`),
  );
});
