import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { type ModuleLoader, currentBackend, forgetBackendChoice, selectBackend } from './backend';
import { train } from './train';
import { halves, jobFrom } from './fixtures/synthetic';

// These tests fake module resolution: which of @tensorflow/tfjs-node(-gpu) and @tensorflow/tfjs-backend-wasm
// "are installed". A present fake native package does what the real one does when required: it registers tfjs's
// `tensorflow` backend (here with the CPU kernels, counting the tensors written to it).

const nodeRequire = createRequire(__filename);
const nativePackages = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];
let tensorsOnFakeNative = 0;

function registerFakeNativeBackend(): void {
  const cpu = tf.findBackendFactory('cpu');
  assert.ok(cpu, 'tfjs has no cpu backend to lend its kernels');
  tf.registerBackend('tensorflow', () => {
    const backend = cpu() as tf.KernelBackend;
    const write = backend.write.bind(backend);
    backend.write = (...args: Parameters<typeof write>) => {
      tensorsOnFakeNative++;
      return write(...args);
    };
    return backend;
  });
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });
}

function removeFakeNativeBackend(): void {
  if (!tf.findBackendFactory('tensorflow')) return;
  for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
  tf.removeBackend('tensorflow');
}

/** A loader on which only the `installed` native packages resolve (each running its function when required),
 * `broken` packages throw when required, and every other package is Node's own; it records what was required. */
function fakeLoader(installed: Record<string, () => void>, broken: string[] = []) {
  const required: string[] = [];
  const notFound = (id: string) =>
    Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
  const load = ((id: string) => {
    required.push(id);
    if (broken.includes(id)) throw new Error(`${id}: failed to load (fake)`);
    const install = installed[id];
    if (install) return install();
    if (nativePackages.includes(id)) throw notFound(id);
    return nodeRequire(id);
  }) as ModuleLoader;
  load.resolve = (id: string) => {
    if (nativePackages.includes(id) && !installed[id]) throw notFound(id);
    return nodeRequire.resolve(id);
  };
  return { load, required };
}

/** Trains a small CNN, which runs on the selected tfjs backend (dense families on wasm or cpu run on foldwise's
 * own SIMD engine and report `wasm-simd`). */
const trainSmall = () =>
  train(
    jobFrom(halves(100, 2), {
      family: 'cnn',
      params: {
        blocks: [{ filters: 4, kernelSize: 3 }],
        denseUnits: 8,
        epochs: 4,
        batchSize: 16,
        learningRate: 0.01,
      },
      task: 'classification',
      nFeatures: 36,
      inputShape: [6, 6, 1],
      nClasses: 2,
      seed: 4,
    }),
  );

beforeEach(() => {
  forgetBackendChoice();
  tensorsOnFakeNative = 0;
});
afterEach(removeFakeNativeBackend);

test('with @tensorflow/tfjs-node installed, selection starts the native backend, and training runs on it and reports it', async () => {
  const { load } = fakeLoader({ '@tensorflow/tfjs-node': registerFakeNativeBackend });
  const choice = await selectBackend('auto', load);
  assert.equal(choice.backend, 'tensorflow');
  assert.equal(choice.gpu, false);
  assert.deepEqual(
    choice.skipped.map((s) => s.name),
    ['tensorflow-gpu'],
  );
  assert.match(
    choice.skipped[0]!.reason,
    /require\('@tensorflow\/tfjs-node-gpu'\) failed: Cannot find module/,
  );
  assert.equal(tf.getBackend(), 'tensorflow');
  const r = await trainSmall();
  assert.equal(r.backend, 'tensorflow');
  assert.ok(tensorsOnFakeNative > 0, 'no tensor was written to the native backend');
  assert.ok(r.curve.at(-1)!.valScore > 0.8, `accuracy ${r.curve.at(-1)!.valScore}`);
});

test('with @tensorflow/tfjs-node-gpu installed, selection reports the native backend with a GPU', async () => {
  const { load, required } = fakeLoader({ '@tensorflow/tfjs-node-gpu': registerFakeNativeBackend });
  const choice = await selectBackend('auto', load);
  assert.deepEqual(choice, { backend: 'tensorflow', gpu: true, skipped: [] });
  assert.deepEqual(required, ['@tensorflow/tfjs-node-gpu']);
  assert.equal((await trainSmall()).backend, 'tensorflow');
  assert.ok(tensorsOnFakeNative > 0, 'no tensor was written to the native backend');
});

test('native bindings that load but register no tensorflow backend are skipped, with the reason', async () => {
  const { load } = fakeLoader({ '@tensorflow/tfjs-node': () => undefined });
  const choice = await selectBackend('auto', load);
  assert.equal(choice.backend, 'wasm');
  assert.match(
    choice.skipped.find((s) => s.name === 'tensorflow')?.reason ?? '',
    /@tensorflow\/tfjs-node loaded, but its tensorflow backend did not start: Backend name 'tensorflow' not found/,
  );
  assert.equal(tf.getBackend(), 'wasm');
});

test('without the native bindings, selection falls back to wasm, says why, and training reports wasm', async () => {
  const { load } = fakeLoader({});
  const choice = await selectBackend('auto', load);
  assert.equal(choice.backend, 'wasm');
  assert.equal(choice.gpu, false);
  assert.deepEqual(
    choice.skipped.map((s) => s.name),
    ['tensorflow-gpu', 'tensorflow'],
  );
  for (const s of choice.skipped) {
    assert.match(s.reason, /require\('@tensorflow\/tfjs-node(-gpu)?'\) failed: Cannot find module/);
  }
  assert.equal(tf.getBackend(), 'wasm');
  const r = await trainSmall();
  assert.equal(r.backend, 'wasm');
  assert.ok(r.curve.at(-1)!.valScore > 0.8, `accuracy ${r.curve.at(-1)!.valScore}`);
});

test('without the native bindings and with wasm failing, selection falls back to cpu and training reports cpu', async () => {
  const { load } = fakeLoader({}, ['@tensorflow/tfjs-backend-wasm']);
  const choice = await selectBackend('auto', load);
  assert.equal(choice.backend, 'cpu');
  assert.deepEqual(
    choice.skipped.map((s) => s.name),
    ['tensorflow-gpu', 'tensorflow', 'wasm'],
  );
  assert.match(choice.skipped[2]!.reason, /wasm backend failed to initialise: .*failed to load \(fake\)/);
  assert.equal(tf.getBackend(), 'cpu');
  const r = await trainSmall();
  assert.equal(r.backend, 'cpu');
  assert.ok(r.curve.at(-1)!.valScore > 0.8, `accuracy ${r.curve.at(-1)!.valScore}`);
});

test('a wasm preference never loads the native bindings, even where they are installed', async () => {
  const { load, required } = fakeLoader({ '@tensorflow/tfjs-node': registerFakeNativeBackend });
  const choice = await selectBackend('wasm', load);
  assert.deepEqual(choice, { backend: 'wasm', gpu: false, skipped: [] });
  assert.ok(!required.some((id) => nativePackages.includes(id)), `required: ${required.join(', ')}`);
});

test('the first choice wins: a later selection returns it without loading anything', async () => {
  const first = await selectBackend('wasm', fakeLoader({}).load);
  const { load, required } = fakeLoader({ '@tensorflow/tfjs-node': registerFakeNativeBackend });
  assert.equal(await selectBackend('auto', load), first);
  assert.equal(currentBackend(), first);
  assert.deepEqual(required, []);
});
