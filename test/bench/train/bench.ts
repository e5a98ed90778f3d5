/**
 * Training throughput benchmark: foldwise `train` and `trainPacked` (5 folds) on each dense engine (WebAssembly SIMD
 * kernels, tfjs ops), tfjs `model.fit`, scikit-learn MLPClassifier and PyTorch side by side on digits (64→128→10,
 * adam, same batch size and epochs, float32 everywhere, one thread each, one untimed warm-up epoch for every
 * runner), then tensor count and RSS after many small folds. Prints Markdown; `--save` also writes the run at the
 * top of RESULTS.md and moves the run that was there to the top of its `# History` section.
 * Every timed run is repeated `--repeat` times (default 3) on a fresh model and the best rate of each clock is kept, on
 * every side alike: other jobs on a shared machine only ever slow a run down.
 * Usage: npm run bench:train -- [--epochs 30] [--batch 32,200] [--repeat 3] [--folds 10,100,1000] [--save]
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
const repeats = Number(arg('repeat', '3'));
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

/** Times `run` `repeats` times; keeps the first run's value and the best samples·epochs rate of each clock. */
async function bestOf<T>(
  run: () => Promise<T>,
  samplesOf: (value: T) => number,
): Promise<{ value: T; speed: Speed }> {
  const runs: { value: T; wallS: number; cpuS: number }[] = [];
  for (let r = 0; r < repeats; r++) runs.push(await timed(run));
  const rates = runs.map((t) => ({ wall: samplesOf(t.value) / t.wallS, cpu: samplesOf(t.value) / t.cpuS }));
  return {
    value: runs[0]!.value,
    speed: { wall: Math.max(...rates.map((r) => r.wall)), cpu: Math.max(...rates.map((r) => r.cpu)) },
  };
}

async function fitBaseline(job: TrainJob, batchSize: number): Promise<{ speed: Speed; acc: number }> {
  const n = job.yTrain.length;
  const build = (): tf.Sequential => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: hidden, activation: 'relu', inputShape: [job.nFeatures] }));
    model.add(tf.layers.dense({ units: job.nClasses, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  };
  const release = (model: tf.Sequential): void => {
    model.optimizer.dispose();
    model.dispose();
  };
  const x = tf.tensor2d(job.xTrain, [n, job.nFeatures]);
  const y = tf.oneHot(tf.tensor1d(Array.from(job.yTrain), 'int32'), job.nClasses);
  const xv = tf.tensor2d(job.xVal, [job.yVal.length, job.nFeatures]);
  const warm = build();
  await warm.fit(x, y, { batchSize, epochs: 1, shuffle: true, verbose: 0 });
  release(warm);
  const accuracies: number[] = [];
  const speed = { wall: 0, cpu: 0 };
  for (let r = 0; r < repeats; r++) {
    const model = build();
    const t = await timed(() => model.fit(x, y, { batchSize, epochs, shuffle: true, verbose: 0 }));
    const pred = tf.tidy(() => Array.from((model.predict(xv) as tf.Tensor).argMax(1).dataSync()));
    accuracies.push(pred.reduce((a, p, i) => a + (p === job.yVal[i] ? 1 : 0), 0) / job.yVal.length);
    release(model);
    speed.wall = Math.max(speed.wall, (n * epochs) / t.wallS);
    speed.cpu = Math.max(speed.cpu, (n * epochs) / t.cpuS);
  }
  tf.dispose([x, y, xv]);
  return { speed, acc: accuracies[0]! };
}

/** What reference.py reports for one peer. */
interface PeerRun {
  samplesEpochsPerSec?: number;
  samplesEpochsPerCpuSec?: number;
  valAcc?: number;
  epochs?: number;
  inputDtype?: string;
  coefDtype?: string;
  dtype?: string;
  error?: string;
}

/** reference.py's JSON line. */
interface PeerReport {
  nTrain: number;
  threads: { torch?: number; threadpools?: { api: string; version: string | null; numThreads: number }[] };
  sklearn?: PeerRun;
  sklearnFloat64?: PeerRun;
  torch?: PeerRun;
}

const speedOf = (r: PeerRun | undefined): Speed => ({
  wall: r?.samplesEpochsPerSec ?? NaN,
  cpu: r?.samplesEpochsPerCpuSec ?? NaN,
});

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
  out(
    'Terms, the same for every runner: float32 input and float32 arithmetic (scikit-learn 1.2 keeps float32 input in float32: ' +
      '`coefs_` checked after fit; the float64 row is labelled), one untimed warm-up epoch on a throwaway model of the same ' +
      `shape before the timed runs, the best of ${repeats} timed runs on fresh models (each clock separately), one compute ` +
      'thread, the same split, architecture, Adam lr 1e-3, batch size and epochs. ' +
      'foldwise also scores the validation fold after every epoch inside its timed runs; the peers do not.',
  );
  const threadNotes: string[] = [];
  const peerRuns: PeerReport[] = [];
  const tableHead = [
    '| batch | runner | samples·epochs per wall s | ratio vs sklearn | samples·epochs per CPU s | ratio vs sklearn | ratio vs PyTorch | val acc |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const rows: string[] = [];
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
        [
          path.join(__dirname, 'reference.py'),
          d.file,
          String(hidden),
          String(batchSize),
          String(epochs),
          String(repeats),
        ],
        {
          env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
          encoding: 'utf8',
        },
      ),
    ) as PeerReport;
    peerRuns.push(ref);
    const sk = speedOf(ref.sklearn);
    const th = speedOf(ref.torch);
    const row = (name: string, s: Speed, acc: number) =>
      rows.push(
        `| ${batchSize} | ${name} | ${fmt(s.wall)} | ${(s.wall / sk.wall).toFixed(2)} | ${fmt(s.cpu)} | ${(s.cpu / sk.cpu).toFixed(2)} | ${(s.cpu / th.cpu).toFixed(2)} | ${acc.toFixed(3)} |`,
      );
    for (const [engine, label] of [
      ['simd', 'WebAssembly SIMD kernels'],
      ['tfjs', `tfjs ops on ${choice.backend}`],
    ] as [DenseEngineName, string][]) {
      setDenseEngine(engine);
      await train({ ...job(0), epochs: 1 });
      const single = await bestOf(
        () => train(job(0)),
        (r) => r.samplesTrained,
      );
      row(`foldwise \`train\` (1 fold), ${label}`, single.speed, single.value.curve.at(-1)!.valScore);
      await trainPacked([0, 1, 2, 3, 4].map((f) => ({ ...job(f), epochs: 1 })));
      const packed = await bestOf(
        () => trainPacked([0, 1, 2, 3, 4].map(job)),
        (rs) => rs.reduce((a, r) => a + r.samplesTrained, 0),
      );
      const acc5 = packed.value.reduce((a, r) => a + r.curve.at(-1)!.valScore, 0) / 5;
      row(`foldwise \`trainPacked\` (P = 5 folds), ${label}`, packed.speed, acc5);
    }
    setDenseEngine('auto');
    const fit = await fitBaseline(job(0), batchSize);
    row('tfjs `model.fit` (same backend)', fit.speed, fit.acc);
    row(
      `scikit-learn MLPClassifier, float32 (computes in ${ref.sklearn?.coefDtype ?? '?'}), 1 thread`,
      sk,
      ref.sklearn?.valAcc ?? NaN,
    );
    row(
      `scikit-learn MLPClassifier, float64 input (computes in ${ref.sklearnFloat64?.coefDtype ?? '?'}), 1 thread`,
      speedOf(ref.sklearnFloat64),
      ref.sklearnFloat64?.valAcc ?? NaN,
    );
    if (ref.torch?.samplesEpochsPerCpuSec)
      row(`PyTorch, ${ref.torch.dtype ?? '?'}, 1 thread`, th, ref.torch.valAcc ?? NaN);
    else rows.push(`| ${batchSize} | PyTorch | ${ref.torch?.error ?? 'not run'} | | | | | |`);
  }
  const first = peerRuns[0];
  const pools = (first?.threads.threadpools ?? []).map((p) => `${p.api} ${p.numThreads}`).join(', ');
  threadNotes.push(
    `foldwise and tfjs: one JavaScript thread (the SIMD kernels are single-threaded; tfjs-backend-wasm runs its non-threaded build in Node)`,
    `scikit-learn: OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1 and threadpoolctl limits 1 (threads reported: ${pools || '?'})`,
    `PyTorch: torch.set_num_threads(1) (torch.get_num_threads() = ${first?.threads.torch ?? '?'})`,
  );
  out(`Threads: ${threadNotes.join('; ')}.`);
  out();
  for (const line of [...tableHead, ...rows]) out(line);
  out();
  out(
    'Packed accuracy is the mean over the 5 folds; the others are fold 0. CPU seconds are process CPU time',
  );
  out(
    '(Node: process.cpuUsage; Python: time.process_time), which is steadier than wall time on a loaded machine.',
  );
  out('"ratio vs PyTorch" is per CPU second.');
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
  if (process.argv.includes('--save')) {
    const file = path.join(__dirname, 'RESULTS.md');
    const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const at = previous.search(/^# History$/m);
    const current = (at >= 0 ? previous.slice(0, at) : previous).trim();
    const history = at >= 0 ? previous.slice(at).replace(/^# History\n+/, '') : '';
    const demoted = current
      .replace(/^## /gm, '### ')
      .replace(/^# Training benchmark$/m, `## Run replaced by --save on ${new Date().toISOString()}`);
    fs.writeFileSync(
      file,
      [
        lines.join('\n'),
        '# History',
        ...(current ? [demoted] : []),
        ...(history ? [history.trim()] : []),
      ].join('\n\n') + '\n',
    );
  }
}

void main();
