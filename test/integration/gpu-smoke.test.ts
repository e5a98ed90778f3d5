/**
 * scripts/gpu-smoke.sh through the real `webgpu` (Dawn) and @tensorflow/tfjs-backend-webgpu packages: where a GPU
 * adapter exists it trains the CNN and prints samples per second; where none does (CI) it says so and why, which shows
 * the packages installed and loaded (a missing package would be named instead).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

test(
  'gpu-smoke with FOLDWISE_BACKEND=webgpu trains on the GPU, or names why WebGPU did not start',
  { timeout: 300_000 },
  () => {
    const r = spawnSync('bash', [resolve(root, 'scripts/gpu-smoke.sh')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, FOLDWISE_BACKEND: 'webgpu', GPU_SMOKE_IMAGES: '1000', GPU_SMOKE_EPOCHS: '1' },
      timeout: 280_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    for (const pkg of ['webgpu', '@tensorflow/tfjs-backend-webgpu'])
      assert.ok(require.resolve(pkg, { paths: [root] }), `${pkg} is installed (an optional dependency)`);
    if (r.status === 0) {
      assert.match(
        r.stdout,
        /^backend (webgpu|tensorflow)\b.*: \d+ samples·epochs in [\d.]+ s = \d+ samples\/s/m,
        out,
      );
      return;
    }
    assert.equal(r.status, 3, out);
    assert.match(r.stdout, /^skipped webgpu: (no WebGPU adapter|adapter .* is a software fallback)/m, out);
    assert.doesNotMatch(r.stdout, /require\('(webgpu|@tensorflow\/tfjs-backend-webgpu)'\) failed/, out);
    assert.match(r.stdout, /^no GPU route here: tfjs runs on (wasm|cpu|tensorflow)$/m, out);
  },
);
