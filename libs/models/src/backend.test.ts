import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import {
  type AdapterInfo,
  type ModuleLoader,
  currentBackend,
  forgetBackendChoice,
  isDiscreteAdapter,
  selectBackend,
} from './backend';
import { train } from './train';
import { halves, jobFrom } from './fixtures/synthetic';

// These tests fake module resolution: which of @tensorflow/tfjs-node(-gpu) and @tensorflow/tfjs-backend-wasm
// "are installed". A present fake native package does what the real one does when required: it registers tfjs's
// `tensorflow` backend (here with the CPU kernels, counting the tensors written to it).

const nodeRequire = createRequire(__filename);
const nativePackages = [
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'webgpu',
  '@tensorflow/tfjs-backend-webgpu',
];
let tensorsOnFakeNative = 0;
/** No GPU device, so that `auto` skips WebGPU the same way on every machine these tests run on. */
const noGpu = { gpuDevice: () => false };

function registerFakeNativeBackend(name = 'tensorflow'): void {
  const cpu = tf.findBackendFactory('cpu');
  assert.ok(cpu, 'tfjs has no cpu backend to lend its kernels');
  tf.registerBackend(name, () => {
    const backend = cpu() as tf.KernelBackend;
    const write = backend.write.bind(backend);
    backend.write = (...args: Parameters<typeof write>) => {
      tensorsOnFakeNative++;
      return write(...args);
    };
    return backend;
  });
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: name });
}

function removeFakeNativeBackend(): void {
  for (const name of ['tensorflow', 'webgpu']) {
    if (!tf.findBackendFactory(name)) continue;
    for (const k of tf.getKernelsForBackend(name)) tf.unregisterKernel(k.kernelName, name);
    tf.removeBackend(name);
  }
}

/** A fake `webgpu` package (Dawn) whose one adapter says `info`, or that has none. */
function fakeDawn(info: AdapterInfo | null) {
  return () => ({
    globals: {},
    create: () => ({ requestAdapter: async () => (info ? { info } : null) }),
  });
}
const rtx: AdapterInfo = {
  vendor: 'nvidia',
  architecture: 'ada',
  device: '',
  description: 'NVIDIA GeForce RTX 4090',
};
const uhd: AdapterInfo = {
  vendor: 'intel',
  architecture: 'gen-12lp',
  device: '',
  description: 'Intel(R) UHD Graphics 770',
};

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
  const choice = await selectBackend('auto', load, noGpu);
  assert.equal(choice.backend, 'tensorflow');
  assert.equal(choice.gpu, false);
  assert.deepEqual(
    choice.skipped.map((s) => s.name),
    ['tensorflow-gpu', 'webgpu'],
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
  const choice = await selectBackend('auto', load, noGpu);
  assert.deepEqual(choice, { backend: 'tensorflow', gpu: true, skipped: [] });
  assert.deepEqual(required, ['@tensorflow/tfjs-node-gpu']);
  assert.equal((await trainSmall()).backend, 'tensorflow');
  assert.ok(tensorsOnFakeNative > 0, 'no tensor was written to the native backend');
});

test('native bindings that load but register no tensorflow backend are skipped, with the reason', async () => {
  const { load } = fakeLoader({ '@tensorflow/tfjs-node': () => undefined });
  const choice = await selectBackend('auto', load, noGpu);
  assert.equal(choice.backend, 'wasm');
  assert.match(
    choice.skipped.find((s) => s.name === 'tensorflow')?.reason ?? '',
    /@tensorflow\/tfjs-node loaded, but its tensorflow backend did not start: Backend name 'tensorflow' not found/,
  );
  assert.equal(tf.getBackend(), 'wasm');
});

test('without the native bindings, selection falls back to wasm, says why, and training reports wasm', async () => {
  const { load } = fakeLoader({});
  const choice = await selectBackend('auto', load, noGpu);
  assert.equal(choice.backend, 'wasm');
  assert.equal(choice.gpu, false);
  assert.deepEqual(
    choice.skipped.map((s) => s.name),
    ['tensorflow-gpu', 'webgpu', 'tensorflow'],
  );
  for (const s of choice.skipped.filter((x) => x.name !== 'webgpu')) {
    assert.match(s.reason, /require\('@tensorflow\/tfjs-node(-gpu)?'\) failed: Cannot find module/);
  }
  assert.match(choice.skipped[1]!.reason, /no GPU device on this machine/);
  assert.equal(tf.getBackend(), 'wasm');
  const r = await trainSmall();
  assert.equal(r.backend, 'wasm');
  assert.ok(r.curve.at(-1)!.valScore > 0.8, `accuracy ${r.curve.at(-1)!.valScore}`);
});

test('without the native bindings and with wasm failing, selection falls back to cpu and training reports cpu', async () => {
  const { load } = fakeLoader({}, ['@tensorflow/tfjs-backend-wasm']);
  const choice = await selectBackend('auto', load, noGpu);
  assert.equal(choice.backend, 'cpu');
  assert.deepEqual(
    choice.skipped.map((s) => s.name),
    ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'],
  );
  assert.match(choice.skipped[3]!.reason, /wasm backend failed to initialise: .*failed to load \(fake\)/);
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

test('with a discrete GPU and the webgpu packages, auto selects WebGPU after CUDA, and training runs on it and reports it', async () => {
  const { load, required } = fakeLoader({
    webgpu: fakeDawn(rtx),
    '@tensorflow/tfjs-backend-webgpu': () => registerFakeNativeBackend('webgpu'),
  });
  const choice = await selectBackend('auto', load, { gpuDevice: () => true });
  assert.equal(choice.backend, 'webgpu');
  assert.equal(choice.gpu, true);
  assert.deepEqual(choice.adapter, { ...rtx, isFallbackAdapter: false });
  assert.deepEqual(
    choice.skipped.map((s) => s.name),
    ['tensorflow-gpu'],
  );
  assert.deepEqual(required.slice(0, 3), [
    '@tensorflow/tfjs-node-gpu',
    'webgpu',
    '@tensorflow/tfjs-backend-webgpu',
  ]);
  assert.equal(tf.getBackend(), 'webgpu');
  const r = await trainSmall();
  assert.equal(r.backend, 'webgpu');
  assert.ok(tensorsOnFakeNative > 0, 'no tensor was written to the webgpu backend');
});

test('auto passes over an integrated or software adapter, says why, and an explicit webgpu takes an integrated one', async () => {
  const installed = (info: AdapterInfo | null) => ({
    webgpu: fakeDawn(info),
    '@tensorflow/tfjs-backend-webgpu': () => registerFakeNativeBackend('webgpu'),
  });
  const integrated = await selectBackend('auto', fakeLoader(installed(uhd)).load, { gpuDevice: () => true });
  assert.equal(integrated.backend, 'wasm');
  assert.match(
    integrated.skipped.find((s) => s.name === 'webgpu')?.reason ?? '',
    /adapter Intel\(R\) UHD Graphics 770 is not a discrete GPU \(set FOLDWISE_BACKEND=webgpu/,
  );
  removeFakeNativeBackend();
  forgetBackendChoice();
  const none = await selectBackend('auto', fakeLoader(installed(null)).load, { gpuDevice: () => true });
  assert.match(none.skipped.find((s) => s.name === 'webgpu')?.reason ?? '', /no WebGPU adapter/);
  forgetBackendChoice();
  const soft = await selectBackend(
    'auto',
    fakeLoader(installed({ ...uhd, description: 'SwiftShader Device', isFallbackAdapter: true })).load,
    { gpuDevice: () => true },
  );
  assert.match(soft.skipped.find((s) => s.name === 'webgpu')?.reason ?? '', /software fallback/);
  forgetBackendChoice();
  const asked = await selectBackend('webgpu', fakeLoader(installed(uhd)).load);
  assert.equal(asked.backend, 'webgpu');
  assert.equal(asked.adapter?.description, uhd.description);
});

test('auto does not load Dawn on a machine without a GPU device, and a missing webgpu package is a reason', async () => {
  const { load, required } = fakeLoader({});
  await selectBackend('auto', load, noGpu);
  assert.ok(!required.includes('webgpu'), `required: ${required.join(', ')}`);
  forgetBackendChoice();
  const asked = await selectBackend('webgpu', fakeLoader({}).load);
  assert.equal(asked.backend, 'wasm');
  assert.match(asked.skipped[0]!.reason, /require\('webgpu'\) failed: Cannot find module/);
});

test('isDiscreteAdapter: NVIDIA, AMD Radeon RX and Intel Arc are discrete; iGPUs, APUs, Apple and software are not', () => {
  const a = (description: string, vendor = '', isFallbackAdapter = false): AdapterInfo => ({
    vendor,
    architecture: '',
    device: '',
    description,
    isFallbackAdapter,
  });
  const discrete = [
    a('NVIDIA GeForce RTX 4090', 'nvidia'),
    a('NVIDIA H100 80GB HBM3', 'nvidia'),
    a('', 'nvidia'),
    a('AMD Radeon RX 7900 XTX', 'amd'),
    a('Intel(R) Arc(TM) A770 Graphics', 'intel'),
  ];
  const not = [
    a('Intel(R) UHD Graphics 770', 'intel'),
    a('AMD Radeon(TM) Graphics', 'amd'),
    a('AMD Ryzen 7 7840U w/ Radeon 780M Graphics', 'amd'),
    a('NVIDIA Tegra Orin (nvgpu)', 'nvidia'),
    a('Apple M2 Max', 'apple'),
    a('SwiftShader Device (Subzero)', 'google'),
    a('llvmpipe (LLVM 15.0.6, 256 bits)', 'mesa'),
    a('NVIDIA GeForce RTX 4090', 'nvidia', true),
    a('', ''),
  ];
  for (const x of discrete) assert.equal(isDiscreteAdapter(x), true, JSON.stringify(x));
  for (const x of not) assert.equal(isDiscreteAdapter(x), false, JSON.stringify(x));
});
