/** Benchmark of the splitters on 1e6 samples; prints median wall times. Run: node --import tsx test/reference/splits/splits.bench.ts */
import {
  groupKFold,
  hashPlan,
  kFold,
  shuffleSplit,
  stratifiedGroupKFold,
  stratifiedKFold,
  timeSeriesSplit,
} from '@foldwise/selection';

const N = 1_000_000;
const REPS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(label: string, run: () => unknown): void {
  run();
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  console.log(
    `${label.padEnd(52)} median ${median(times).toFixed(1).padStart(7)} ms  (min ${Math.min(...times).toFixed(1)})`,
  );
}

const y = new Int32Array(N);
for (let i = 0; i < N; i++) y[i] = (i * 2654435761) % 7 < 2 ? 1 : 0;
const groups = new Int32Array(N);
for (let i = 0; i < N; i++) groups[i] = ((i * 40503) >>> 0) % 10_000;

console.log(`splitters on n = ${N.toLocaleString('en')}, ${REPS} runs each (node ${process.version})`);
const plan = kFold(N, { k: 5, shuffle: true, seed: 1 });
time('hashPlan of a 5-fold plan (share of kFold)', () => hashPlan(plan.kind, { k: 5 }, N, plan.folds));
time('kFold k=5', () => kFold(N, { k: 5 }));
time('kFold k=5 shuffled', () => kFold(N, { k: 5, shuffle: true, seed: 1 }));
time('stratifiedKFold k=5 (binary y)', () => stratifiedKFold(y, { k: 5 }));
time('stratifiedKFold k=5 shuffled', () => stratifiedKFold(y, { k: 5, shuffle: true, seed: 1 }));
time('groupKFold k=5 (10,000 groups)', () => groupKFold(groups, { k: 5 }));
time('stratifiedGroupKFold k=5 (10,000 groups)', () => stratifiedGroupKFold(y, groups, { k: 5 }));
time('timeSeriesSplit nSplits=5', () => timeSeriesSplit(N, { nSplits: 5 }));
time('shuffleSplit nSplits=5 testSize=0.2', () => shuffleSplit(N, { nSplits: 5, testSize: 0.2, seed: 1 }));
