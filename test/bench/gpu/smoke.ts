/**
 * `scripts/gpu-smoke.sh`: on a machine with a GPU, trains the cnn family (two conv blocks with batch norm) through the
 * GPU route that loads (`FOLDWISE_BACKEND`, default `auto`: CUDA through @tensorflow/tfjs-node-gpu, else WebGPU on a
 * discrete GPU) and prints the backend, the adapter and the samples per second. Without a GPU route it prints why
 * each was skipped and exits 3. Data: Fashion-MNIST when installed (FOLDWISE_FASHION_MNIST_DIR), else digits.
 */
import { loadBuiltin, type Dataset } from '@foldwise/datasets';
import { type BackendPref, selectBackend, train } from '@foldwise/models';

const IMAGES = Number(process.env['GPU_SMOKE_IMAGES'] ?? 4000);
const EPOCHS = Number(process.env['GPU_SMOKE_EPOCHS'] ?? 3);

async function data(): Promise<Dataset> {
  try {
    return await loadBuiltin('fashion-mnist', { subset: IMAGES, seed: 1 });
  } catch (e) {
    process.stdout.write(
      `fashion-mnist not loadable (${(e as Error).message.split('\n')[0]}); using digits\n`,
    );
    return loadBuiltin('digits');
  }
}

async function main(): Promise<number> {
  const pref = (process.env['FOLDWISE_BACKEND'] ?? 'auto') as BackendPref;
  const choice = await selectBackend(pref);
  for (const s of choice.skipped) process.stdout.write(`skipped ${s.name}: ${s.reason}\n`);
  if (!choice.gpu) {
    process.stdout.write(`no GPU route here: tfjs runs on ${choice.backend}\n`);
    return 3;
  }
  const ds = await data();
  const [h, w, c] = ds.imageShape ?? [0, 0, 0];
  const n = ds.nSamples;
  const cut = Math.floor(n * 0.8);
  const F = ds.nFeatures;
  const max = ds.imageMax ?? 1;
  const x = ds.X.map((v) => v / max);
  const result = await train({
    family: 'cnn',
    params: {
      blocks: [
        { filters: 32, kernelSize: 3, batchNorm: true },
        { filters: 64, kernelSize: 3, batchNorm: true },
      ],
      denseUnits: 128,
      epochs: EPOCHS,
      batchSize: 64,
      learningRate: 0.001,
    },
    task: 'classification',
    nFeatures: F,
    inputShape: [h, w, c],
    nClasses: ds.classes?.length ?? 10,
    xTrain: x.slice(0, cut * F),
    yTrain: ds.y.slice(0, cut),
    xVal: x.slice(cut * F),
    yVal: ds.y.slice(cut),
    seed: 1,
  });
  const perSecond = result.samplesTrained / (result.durationMs / 1000);
  const adapter = choice.adapter ? ` (${choice.adapter.description || choice.adapter.vendor})` : '';
  process.stdout.write(
    `backend ${result.backend}${adapter}: ${result.samplesTrained} samples·epochs in ${(result.durationMs / 1000).toFixed(1)} s = ` +
      `${perSecond.toFixed(0)} samples/s; validation accuracy ${result.curve.at(-1)?.valScore.toFixed(4)} on ${n - cut} ${ds.name} images\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`gpu-smoke failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
