/**
 * Training throughput benchmark: foldwise `train` and `trainPacked` (5 folds) on each dense engine (WebAssembly SIMD
 * kernels, tfjs ops), tfjs `model.fit`, scikit-learn MLPClassifier and PyTorch side by side on digits (64→128→10,
 * adam, same batch size and epochs, float32 everywhere, one thread each, one untimed warm-up epoch for every
 * runner), then foldwise's SIMD engine per activation on the MLP shapes of test/bench/e2e/digits-mlp.yaml, then tensor
 * count and RSS after many small folds. Prints Markdown; `--save` also writes the run at the top of RESULTS.md and
 * moves the run that was there to the top of its `# History` section.
 * Every timed run is repeated `--repeat` times (default 3) on a fresh model and the best rate of each clock is kept, on
 * every side alike: other jobs on a shared machine only ever slow a run down.
 * `--suite` picks the sections (default all): `peers` (the side-by-side table), `activations`, `memory`, and `cnn` (the
 * cnn family on Fashion-MNIST images against PyTorch on one thread; only when named, since it takes minutes).
 * Usage: npm run bench:train -- [--suite peers,activations,memory,cnn] [--epochs 30] [--batch 32,200] [--repeat 3]
 *   [--activations relu,tanh,sigmoid,elu] [--folds 10,100,1000] [--cnn-images 2000] [--cnn-epochs 2] [--save]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  type Activation,
  type DenseEngineName,
  type TrainJob,
  selectBackend,
  setDenseEngine,
  train,
  trainPacked,
} from '@foldwise/models';
import { loadBuiltin } from '@foldwise/datasets';
import { type Dataset, foldOf, loadCsv } from './data';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const epochs = Number(arg('epochs', '30'));
const repeats = Number(arg('repeat', '3'));
const batches = arg('batch', '32,200').split(',').map(Number);
const foldMarks = arg('folds', '10,100,1000').split(',').map(Number);
const suites = new Set(arg('suite', 'peers,activations,memory').split(','));
const activationList = arg('activations', 'relu,tanh,sigmoid,elu').split(',') as Activation[];
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
    `Machine: ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start (shared machine; figures move with the load).`,
  );
  out(
    `Backend: ${choice.backend} (skipped: ${choice.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ') || 'none'})`,
  );
  out(
    `Data: ${path.relative(process.cwd(), d.file)} (${d.n}×${d.nFeatures}, ${d.nClasses} classes), fold 0 of 5 = ${foldOf(d, 5, 0).yTrain.length} training rows.`,
  );
  if (suites.has('peers')) await peers(d, choice.backend);
  if (suites.has('activations')) await activations(d);
  if (suites.has('memory')) await memory();
  if (suites.has('cnn')) await cnn(choice.backend);
  if (process.argv.includes('--save')) save();
}

/**
 * The cnn family (2 blocks of conv 3×3 → batch norm → relu → max-pool 2, dense 64) and the resnet family's ResNet-8
 * (width 16) on Fashion-MNIST training images, fold 0 (every fifth image held out), each against PyTorch on one
 * thread with the same architecture and terms.
 */
async function cnn(backend: string): Promise<void> {
  const nImages = Number(arg('cnn-images', '2000'));
  const cnnEpochs = Number(arg('cnn-epochs', '2'));
  const resnetImages = Number(arg('resnet-images', '500'));
  const batchSize = 64;
  const filters = [16, 32];
  const dense = 64;
  const full = await loadBuiltin('fashion-mnist', { subset: Math.max(nImages, resnetImages), seed: 1 });
  out('## CNN and ResNet-8 against PyTorch');
  out();
  out(
    `Fashion-MNIST training images (4 of 5 trained on, every fifth validated): the cnn family on ${nImages}, ${filters.length} blocks of conv 3×3 (${filters.join(', ')} filters) → batch norm → relu → max-pool 2, dense ${dense}; ` +
      `the resnet family's ResNet-8 (width 16, 3 stages, 1 basic block each) on ${resnetImages}. ` +
      `Adam lr 1e-3, batch ${batchSize}, ${cnnEpochs} epochs, float32, one untimed warm-up epoch each side, best of ${repeats} timed runs per clock, one thread each. ` +
      `foldwise trains convolutions through tfjs on ${backend} with its own conv-filter gradient (im2col on the SIMD kernels), max-pool gradient and batch-norm gradient. Load average at start: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}.`,
  );
  out();
  out('| runner | samples·epochs per wall s | samples·epochs per CPU s | ratio vs PyTorch (CPU) | val acc |');
  out('| --- | ---: | ---: | ---: | ---: |');
  const arches = [
    {
      name: 'cnn family',
      images: nImages,
      family: 'cnn',
      params: {
        blocks: filters.map((f) => ({ filters: f, kernelSize: 3, batchNorm: true, pooling: 'max' })),
        denseUnits: dense,
      },
      peerArch: 'cnn',
    },
    {
      name: 'resnet family, ResNet-8',
      images: resnetImages,
      family: 'resnet',
      params: { width: 16, blocksPerStage: 1, stages: 3 },
      peerArch: 'resnet:16:1:3',
    },
  ];
  for (const a of arches) {
    const ds = subsetRows(full, a.images);
    const [h, w, c] = full.imageShape!;
    const F = full.nFeatures;
    const X = ds.X.map((v) => v / (full.imageMax ?? 255));
    const train0: number[] = [];
    const val0: number[] = [];
    for (let i = 0; i < ds.n; i++) (i % 5 === 0 ? val0 : train0).push(i);
    const rows = (idx: number[]) => {
      const x = new Float32Array(idx.length * F);
      idx.forEach((r, j) => x.set(X.subarray(r * F, (r + 1) * F), j * F));
      return { x, y: Float64Array.from(idx, (r) => ds.y[r]!) };
    };
    const tr = rows(train0);
    const va = rows(val0);
    const job = (e: number): TrainJob => ({
      family: a.family,
      params: { ...a.params, batchSize, epochs: e, learningRate: 1e-3, optimizer: 'adam' },
      task: 'classification',
      nFeatures: F,
      inputShape: [h, w, c],
      nClasses: full.classes?.length ?? 10,
      xTrain: tr.x,
      yTrain: tr.y,
      xVal: va.x,
      yVal: va.y,
      seed: 1,
    });
    await train(job(1));
    const ours = await bestOf(
      () => train(job(cnnEpochs)),
      (r) => r.samplesTrained,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cnn-'));
    let peer: {
      samplesEpochsPerSec?: number;
      samplesEpochsPerCpuSec?: number;
      valAcc?: number;
      torch?: string;
      threads?: number;
      error?: string;
    };
    try {
      fs.writeFileSync(path.join(dir, 'x.f32'), Buffer.from(X.buffer, X.byteOffset, X.byteLength));
      const y = Float64Array.from(ds.y);
      fs.writeFileSync(path.join(dir, 'y.f64'), Buffer.from(y.buffer, y.byteOffset, y.byteLength));
      peer = JSON.parse(
        execFileSync(
          '/usr/bin/python3',
          [
            path.join(__dirname, 'cnn_reference.py'),
            path.join(dir, 'x.f32'),
            path.join(dir, 'y.f64'),
            ...[ds.n, h, w, c, full.classes?.length ?? 10, batchSize, cnnEpochs, repeats].map(String),
            filters.join(','),
            String(dense),
            a.peerArch,
          ],
          { env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' }, encoding: 'utf8' },
        ),
      ) as typeof peer;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    out(
      `| foldwise \`train\`, ${a.name}, tfjs ${backend} | ${fmt(ours.speed.wall)} | ${fmt(ours.speed.cpu)} | ${peer.samplesEpochsPerCpuSec ? (ours.speed.cpu / peer.samplesEpochsPerCpuSec).toFixed(3) : '—'} | ${ours.value.curve.at(-1)!.valScore.toFixed(3)} |`,
    );
    if (peer.samplesEpochsPerCpuSec)
      out(
        `| PyTorch ${peer.torch ?? '?'}, ${a.name}, float32, ${peer.threads ?? '?'} thread | ${fmt(peer.samplesEpochsPerSec ?? NaN)} | ${fmt(peer.samplesEpochsPerCpuSec)} | 1.000 | ${(peer.valAcc ?? NaN).toFixed(3)} |`,
      );
    else out(`| PyTorch, ${a.name} | ${peer.error ?? 'not run'} | | | |`);
  }
  out();
}

/** The first `n` images of a (seeded, stratified) subset: the rows each architecture trains on. */
function subsetRows(
  d: Awaited<ReturnType<typeof loadBuiltin>>,
  n: number,
): { n: number; X: Float32Array; y: Float64Array } {
  const m = Math.min(n, d.nSamples);
  return { n: m, X: d.X.subarray(0, m * d.nFeatures), y: Float64Array.from(d.y.subarray(0, m)) };
}

/** The side-by-side table: foldwise on both engines, tfjs `model.fit`, scikit-learn and PyTorch. */
async function peers(d: Dataset, backend: string): Promise<void> {
  out(`MLP ${d.nFeatures}→${hidden}→${d.nClasses}, adam lr 1e-3, ${epochs} epochs.`);
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
      ['tfjs', `tfjs ops on ${backend}`],
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
}

/** The MLP shapes of test/bench/e2e/digits-mlp.yaml: 32, 64 or 128 units in 1 or 2 hidden layers. */
const E2E_SHAPES = [[32], [64], [128], [32, 32], [64, 64], [128, 128]];

/**
 * foldwise `train` on the SIMD engine per activation: every shape of the e2e job (batch 64, 20 epochs, adam, l2 1e-4)
 * on fold 0, after an untimed warm-up epoch per shape; each repeat trains all six shapes and counts as one run.
 */
async function activations(d: Dataset): Promise<void> {
  const actEpochs = 20;
  const batchSize = 64;
  const loadAt = (): string =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  const job = (layers: number[], activation: Activation, e: number): TrainJob => ({
    family: 'mlp',
    params: { layers, activation, batchSize, epochs: e, learningRate: 1e-3, optimizer: 'adam', l2: 1e-4 },
    task: 'classification',
    nFeatures: d.nFeatures,
    nClasses: d.nClasses,
    ...foldOf(d, 5, 0),
    seed: 1,
  });
  out('## SIMD engine per activation');
  out();
  out(
    `foldwise \`train\` (1 fold, WebAssembly SIMD kernels) on the e2e job's MLP shapes (${E2E_SHAPES.map((s) => `64→${s.join('→')}→10`).join(', ')}), ` +
      `batch ${batchSize}, ${actEpochs} epochs, adam lr 1e-3, l2 1e-4, fold 0 of 5. A run trains all six shapes once; ` +
      `${repeats} runs per activation, taken in turns, each round starting one activation later (relu, tanh, …; tanh, …, relu), after one untimed warm-up epoch ` +
      `per shape and activation; median and best of the runs. Load average at start: ${loadAt()}.`,
  );
  out();
  out(
    '| activation | samples·epochs per CPU s, median | best | samples·epochs per wall s, median | CPU s per run, median | vs relu (median, CPU) | val acc (mean of shapes) |',
  );
  out('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  setDenseEngine('simd');
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const runs = new Map<Activation, { wallS: number; cpuS: number; samples: number; acc: number }[]>();
  for (const activation of activationList) {
    runs.set(activation, []);
    for (const shape of E2E_SHAPES) await train(job(shape, activation, 1));
  }
  for (let r = 0; r < repeats; r++) {
    for (let i = 0; i < activationList.length; i++) {
      const activation = activationList[(r + i) % activationList.length]!;
      const t = await timed(async () => {
        const results = [];
        for (const shape of E2E_SHAPES) results.push(await train(job(shape, activation, actEpochs)));
        return results;
      });
      runs.get(activation)!.push({
        wallS: t.wallS,
        cpuS: t.cpuS,
        samples: t.value.reduce((a, res) => a + res.samplesTrained, 0),
        acc: t.value.reduce((a, res) => a + res.curve.at(-1)!.valScore, 0) / t.value.length,
      });
    }
  }
  const rateOf = (activation: Activation): number =>
    median(runs.get(activation)!.map((x) => x.samples / x.cpuS));
  const reluRate = runs.has('relu') ? rateOf('relu') : undefined;
  for (const [activation, rs] of runs) {
    const cpu = rs.map((x) => x.samples / x.cpuS);
    out(
      `| ${activation} | ${fmt(rateOf(activation))} | ${fmt(Math.max(...cpu))} | ${fmt(median(rs.map((x) => x.samples / x.wallS)))} | ${median(rs.map((x) => x.cpuS)).toFixed(2)} | ${reluRate ? (rateOf(activation) / reluRate).toFixed(2) : '—'} | ${rs[0]!.acc.toFixed(3)} |`,
    );
  }
  setDenseEngine('auto');
  out();
  out(`Load average at end: ${loadAt()}.`);
  out();
}

/** Tensor count and RSS over many small folds. */
async function memory(): Promise<void> {
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
}

/** Writes this run at the top of RESULTS.md and moves the run that was there into `# History`. */
function save(): void {
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
    [lines.join('\n'), '# History', ...(current ? [demoted] : []), ...(history ? [history.trim()] : [])].join(
      '\n\n',
    ) + '\n',
  );
}

void main();
