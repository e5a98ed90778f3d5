// Benchmark: @foldwise/metrics against scikit-learn on 10^6 samples (npm run bench:metrics).
// Prints measured times and the values both sides computed; asserts nothing about time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accuracyScore, confusionMatrix, f1Score, logLoss, rocAucScore } from '@foldwise/metrics';

const N = 1_000_000;
const CLASSES = 10;
const SEED = 20261129;
const RUNS = 5;
const PYTHON = '/usr/bin/python3';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Data {
  yTrue: Int32Array;
  yPred: Int32Array;
  yBin: Int32Array;
  scores: Float64Array;
  proba: Float64Array;
}

function makeData(): Data {
  const rand = mulberry32(SEED);
  const yTrue = new Int32Array(N);
  const yPred = new Int32Array(N);
  const yBin = new Int32Array(N);
  const scores = new Float64Array(N);
  const proba = new Float64Array(N * CLASSES);
  for (let i = 0; i < N; i++) {
    const t = Math.floor(rand() * CLASSES);
    yTrue[i] = t;
    yPred[i] = rand() < 0.6 ? t : Math.floor(rand() * CLASSES);
    const b = rand() < 0.4 ? 1 : 0;
    yBin[i] = b;
    scores[i] = Math.round((0.3 * b + 0.7 * rand()) * 1e4) / 1e4;
    let s = 0;
    for (let j = 0; j < CLASSES; j++) {
      const v = 0.05 + rand() + (j === t ? 1.5 : 0);
      proba[i * CLASSES + j] = v;
      s += v;
    }
    for (let j = 0; j < CLASSES; j++) proba[i * CLASSES + j] = (proba[i * CLASSES + j] as number) / s;
  }
  return { yTrue, yPred, yBin, scores, proba };
}

const PY_SCRIPT = String.raw`
import json, sys, time
import numpy as np
import sklearn
from sklearn import metrics as m
path, n, k, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
raw = open(path, 'rb').read()
o = 0
def take(dtype, count):
    global o
    a = np.frombuffer(raw, dtype=dtype, count=count, offset=o)
    o += a.nbytes
    return a
y_true, y_pred, y_bin = take(np.int32, n), take(np.int32, n), take(np.int32, n)
scores = take(np.float64, n)
proba = take(np.float64, n * k).reshape(n, k)
cases = {
    'accuracy': lambda: m.accuracy_score(y_true, y_pred),
    'f1 macro': lambda: m.f1_score(y_true, y_pred, average='macro'),
    'confusion matrix': lambda: int(m.confusion_matrix(y_true, y_pred)[3, 5]),
    'roc_auc (binary)': lambda: m.roc_auc_score(y_bin, scores),
    'log_loss (binary)': lambda: m.log_loss(y_bin, scores),
    'log_loss (10 classes)': lambda: m.log_loss(y_true, proba),
}
out = {'sklearn': sklearn.__version__, 'results': {}}
for name, fn in cases.items():
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    out['results'][name] = {'ms': times[len(times) // 2], 'value': float(value)}
print(json.dumps(out))
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(fn: () => number): { ms: number; value: number } {
  let value = fn();
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    value = fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), value };
}

function main(): void {
  const t0 = performance.now();
  const d = makeData();
  console.log(
    `data: ${N} samples, ${CLASSES} classes, seed ${SEED} (generated in ${(performance.now() - t0).toFixed(0)} ms)`,
  );
  const cases: Record<string, () => number> = {
    accuracy: () => accuracyScore(d.yTrue, d.yPred),
    'f1 macro': () => f1Score(d.yTrue, d.yPred, { average: 'macro' }),
    'confusion matrix': () => confusionMatrix(d.yTrue, d.yPred)[3]?.[5] ?? NaN,
    'roc_auc (binary)': () => rocAucScore(d.yBin, d.scores),
    'log_loss (binary)': () => logLoss(d.yBin, d.scores),
    'log_loss (10 classes)': () => logLoss(d.yTrue, d.proba, { nClasses: CLASSES }),
  };
  const ours: Record<string, { ms: number; value: number }> = {};
  for (const [name, fn] of Object.entries(cases)) ours[name] = time(fn);

  const dir = mkdtempSync(join(tmpdir(), 'foldwise-metrics-bench-'));
  try {
    const file = join(dir, 'data.bin');
    const script = join(dir, 'bench.py');
    const parts = [d.yTrue, d.yPred, d.yBin, d.scores, d.proba].map((a) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    );
    writeFileSync(file, Buffer.concat(parts));
    writeFileSync(script, PY_SCRIPT);
    const py = spawnSync(PYTHON, [script, file, String(N), String(CLASSES), String(RUNS)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (py.status !== 0) throw new Error(`${PYTHON} failed (${py.status}): ${py.stderr}`);
    const sk = JSON.parse(py.stdout) as {
      sklearn: string;
      results: Record<string, { ms: number; value: number }>;
    };
    console.log(
      `median of ${RUNS} runs after one warm-up (foldwise, Node ${process.version}); median of ${RUNS} runs (scikit-learn ${sk.sklearn})\n`,
    );
    const header = ['metric', 'foldwise ms', 'sklearn ms', 'sklearn/foldwise', '|difference| of values'];
    const rows = Object.keys(cases).map((name) => {
      const a = ours[name] as { ms: number; value: number };
      const b = sk.results[name] as { ms: number; value: number };
      return [
        name,
        a.ms.toFixed(1),
        b.ms.toFixed(1),
        `${(b.ms / a.ms).toFixed(1)}x`,
        Math.abs(a.value - b.value).toExponential(1),
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const fmt = (r: string[]) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
    console.log(fmt(header));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows) console.log(fmt(r));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
