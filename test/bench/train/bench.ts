/**
 * Training throughput benchmark: foldwise `train` and `trainPacked` (5 folds) on each dense engine (WebAssembly SIMD
 * kernels, tfjs ops), tfjs `model.fit`,
 * scikit-learn MLPClassifier and PyTorch side by side on digits (64→128→10, adam, same batch size and
 * epochs), then tensor count and RSS after many small folds. Prints Markdown; `--save` also writes RESULTS.md.
 * Usage: npm run bench:train -- [--epochs 30] [--batch 32,200] [--folds 10,100,1000] [--save]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type DenseEngineName,
  type TrainJob,
  selectBackend,
  setDenseEngine,
  train,
  trainPacked,
} from '@foldwise/models';
import { foldOf, loadCsv } from './data';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const epochs = Number(arg('epochs', '30'));
const batches = arg('batch', '32,200').split(',').map(Number);
const foldMarks = arg('folds', '10,100,1000').split(',').map(Number);
const hidden = 128;
const lines: string[] = [];
const out = (s = '') => {
  lines.push(s);
  console.log(s);
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Speed {
  wall: number;
  cpu: number;
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; wallS: number; cpuS: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 };
}

async function fitBaseline(job: TrainJob, batchSize: number): Promise<{ speed: Speed; acc: number }> {
  const n = job.yTrain.length;
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: hidden, activation: 'relu', inputShape: [job.nFeatures] }));
  model.add(tf.layers.dense({ units: job.nClasses, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor2d(job.xTrain, [n, job.nFeatures]);
  const y = tf.oneHot(tf.tensor1d(Array.from(job.yTrain), 'int32'), job.nClasses);
  const xv = tf.tensor2d(job.xVal, [job.yVal.length, job.nFeatures]);
  const t = await timed(() => model.fit(x, y, { batchSize, epochs, shuffle: true, verbose: 0 }));
  const pred = tf.tidy(() => Array.from((model.predict(xv) as tf.Tensor).argMax(1).dataSync()));
  const acc = pred.reduce((a, p, i) => a + (p === job.yVal[i] ? 1 : 0), 0) / job.yVal.length;
  tf.dispose([x, y, xv]);
  model.optimizer.dispose();
  model.dispose();
  return { speed: { wall: (n * epochs) / t.wallS, cpu: (n * epochs) / t.cpuS }, acc };
}

async function main(): Promise<void> {
  const choice = await selectBackend('auto');
  const d = loadCsv('digits.csv', 16);
  const cmd = `npm run bench:train -- ${process.argv.slice(2).join(' ')}`.trim();
  out(`# Training benchmark`);
  out();
  out(`Command: \`${cmd}\` — ${new Date().toISOString()}`);
  out(
    `Machine: ${(await import('node:os')).cpus().length} CPUs, load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start (shared machine; figures move with the load).`,
  );
  out(
    `Backend: ${choice.backend} (skipped: ${choice.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ') || 'none'})`,
  );
  out(
    `Data: ${path.relative(process.cwd(), d.file)} (${d.n}×${d.nFeatures}, ${d.nClasses} classes), fold 0 of 5 = ${foldOf(d, 5, 0).yTrain.length} training rows; MLP ${d.nFeatures}→${hidden}→${d.nClasses}, adam lr 1e-3, ${epochs} epochs.`,
  );
  out();
  out(
    '| batch | runner | samples·epochs per wall s | ratio vs sklearn | samples·epochs per CPU s | ratio vs sklearn | val acc |',
  );
  out('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const batchSize of batches) {
    const job = (f: number): TrainJob => ({
      family: 'mlp',
      params: { layers: [hidden], batchSize, epochs, learningRate: 1e-3, optimizer: 'adam' },
      task: 'classification',
      nFeatures: d.nFeatures,
      nClasses: d.nClasses,
      ...foldOf(d, 5, f),
      seed: 1,
    });
    const ref = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [path.join(__dirname, 'reference.py'), d.file, String(hidden), String(batchSize), String(epochs)],
        {
          env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
          encoding: 'utf8',
        },
      ),
    ) as Record<
      string,
      { samplesEpochsPerSec?: number; samplesEpochsPerCpuSec?: number; valAcc?: number; error?: string }
    >;
    const sk: Speed = {
      wall: ref.sklearn?.samplesEpochsPerSec ?? NaN,
      cpu: ref.sklearn?.samplesEpochsPerCpuSec ?? NaN,
    };
    const row = (name: string, s: Speed, acc: number) =>
      out(
        `| ${batchSize} | ${name} | ${fmt(s.wall)} | ${(s.wall / sk.wall).toFixed(2)} | ${fmt(s.cpu)} | ${(s.cpu / sk.cpu).toFixed(2)} | ${acc.toFixed(3)} |`,
      );
    for (const [engine, label] of [
      ['simd', 'WebAssembly SIMD kernels'],
      ['tfjs', `tfjs ops on ${choice.backend}`],
    ] as [DenseEngineName, string][]) {
      setDenseEngine(engine);
      await train({ ...job(0), epochs: 1 });
      const single = await timed(() => train(job(0)));
      const n1 = single.value.samplesTrained;
      row(
        `foldwise \`train\` (1 fold), ${label}`,
        { wall: n1 / single.wallS, cpu: n1 / single.cpuS },
        single.value.curve.at(-1)!.valScore,
      );
      const packed = await timed(() => trainPacked([0, 1, 2, 3, 4].map(job)));
      const n5 = packed.value.reduce((a, r) => a + r.samplesTrained, 0);
      const acc5 = packed.value.reduce((a, r) => a + r.curve.at(-1)!.valScore, 0) / 5;
      row(
        `foldwise \`trainPacked\` (P = 5 folds), ${label}`,
        { wall: n5 / packed.wallS, cpu: n5 / packed.cpuS },
        acc5,
      );
    }
    setDenseEngine('auto');
    const fit = await fitBaseline(job(0), batchSize);
    row('tfjs `model.fit` (same backend)', fit.speed, fit.acc);
    row('scikit-learn MLPClassifier (1 thread)', sk, ref.sklearn?.valAcc ?? NaN);
    const th = ref.torch;
    if (th?.samplesEpochsPerSec && th.samplesEpochsPerCpuSec) {
      row(
        'PyTorch (1 thread)',
        { wall: th.samplesEpochsPerSec, cpu: th.samplesEpochsPerCpuSec },
        th.valAcc ?? NaN,
      );
    } else out(`| ${batchSize} | PyTorch | ${th?.error ?? 'not run'} | | | | |`);
  }
  out();
  out(
    'Packed accuracy is the mean over the 5 folds; the others are fold 0. CPU seconds are process CPU time',
  );
  out(
    '(Node: process.cpuUsage; Python: time.process_time), which is steadier than wall time on a loaded machine.',
  );
  out();
  out('## Tensors and memory over many small folds');
  out();
  out('Each fold: mlp 4→8→3 on 120 rows, 2 epochs, batch 32, through `train`.');
  out();
  out('| folds | tf.memory().numTensors | tf numBytes | RSS MiB |');
  out('| ---: | ---: | ---: | ---: |');
  const small = foldOf({ ...loadCsv('iris.csv') }, 5, 0);
  const tiny: TrainJob = {
    family: 'mlp',
    params: { layers: [8], epochs: 2, batchSize: 32 },
    task: 'classification',
    nFeatures: 4,
    nClasses: 3,
    ...small,
    seed: 0,
  };
  out(
    `| 0 | ${tf.memory().numTensors} | ${fmt(tf.memory().numBytes)} | ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} |`,
  );
  let done = 0;
  for (const mark of foldMarks) {
    while (done < mark) await train({ ...tiny, seed: done++ });
    out(
      `| ${mark} | ${tf.memory().numTensors} | ${fmt(tf.memory().numBytes)} | ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} |`,
    );
  }
  if (process.argv.includes('--save'))
    fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), lines.join('\n') + '\n');
}

void main();
