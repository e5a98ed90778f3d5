import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FoldwiseClient } from '@foldwise/sdk';
import type { FoldDoc, SearchSpecInput } from '@foldwise/spec';
import { stackEnv } from '../support/stack';
import { startWorkerProcess } from '../support/workers';

const run = randomBytes(3).toString('hex');
let client: FoldwiseClient;

const spec = (name: string): SearchSpecInput => ({
  name,
  dataset: { builtin: 'iris' },
  cv: { kind: 'stratified', k: 5 },
  metrics: { primary: 'accuracy', report: ['neg_log_loss'] },
  models: [
    {
      family: 'mlp',
      params: { epochs: 6, batchSize: 16, units: 16, hiddenLayers: 1 },
      space: { learningRate: { type: 'logUniform', low: 0.003, high: 0.1 } },
    },
  ],
  budget: { trials: 2, parallelism: 2 },
  seed: 5,
  refit: false,
});

before(async () => {
  const env = stackEnv();
  client = await FoldwiseClient.connect({
    temporalAddress: env.TEMPORAL_ADDRESS,
    namespace: env.TEMPORAL_NAMESPACE,
    mongodbUri: env.MONGODB_URI,
    mongodbDb: env.MONGODB_DB,
    natsUrl: env.NATS_URL,
  });
});

after(async () => {
  await client?.close();
});

async function searchWith(pack: number, name: string): Promise<{ folds: FoldDoc[]; packs: number[] }> {
  const worker = await startWorkerProcess({
    FOLDWISE_SLOTS: '1',
    FOLDWISE_PACK: String(pack),
    FOLDWISE_PACK_WINDOW_MS: '300',
  });
  try {
    await worker.ready;
    const handle = await client.submit(spec(name));
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    const folds = (await handle.foldDocs()).sort((a, b) => a.trialIndex - b.trialIndex || a.fold - b.fold);
    const packs = [...worker.output().matchAll(/"folds":(\d+)[^\n]*"msg":"packed training"/g)].map((m) =>
      Number(m[1]),
    );
    return { folds, packs };
  } finally {
    await worker.stop();
  }
}

test(
  'packed training gives every fold the same result as training it alone, each recorded as its own fold',
  { timeout: 600_000 },
  async () => {
    const { folds: alone, packs: none } = await searchWith(1, `pack-off-${run}`);
    const { folds: packed, packs } = await searchWith(5, `pack-on-${run}`);
    assert.deepEqual(none, [], 'without FOLDWISE_PACK nothing is packed');
    assert.ok(
      packs.some((n) => n >= 2),
      `with FOLDWISE_PACK=5 some folds trained packed (packs: ${packs.join(', ')})`,
    );
    assert.equal(alone.length, 10);
    assert.equal(packed.length, 10);
    for (let i = 0; i < alone.length; i++) {
      const a = alone[i] as FoldDoc;
      const p = packed[i] as FoldDoc;
      assert.deepEqual([p.trialIndex, p.fold], [a.trialIndex, a.fold]);
      assert.deepEqual(p.params, a.params);
      for (const [k, v] of Object.entries(a.metrics))
        assert.ok(Math.abs((p.metrics[k] as number) - v) <= 1e-6, `${p._id} ${k}: ${p.metrics[k]} vs ${v}`);
    }
  },
);
