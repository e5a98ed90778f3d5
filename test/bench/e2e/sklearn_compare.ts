/**
 * The scikit-learn side of `bench:e2e`'s job, prepared and checked without the stack.
 *
 *   inputs   --seed S --out DIR            writes DIR/plan.json, DIR/space.json and DIR/configs.json for sklearn_peer.py:
 *                                          foldwise's own fold plan (planFolds), the spec's search space, and the
 *                                          configurations foldwise's random strategy proposes for that seed
 *   foldwise --seed S [--scale K]          trains those configurations on those folds with `train()` (the dense trainer
 *                                          the worker runs, same fold seeds), prints one JSON line with the per-config
 *                                          mean CV accuracy and the best; K overrides the spec's preprocessing
 *   compare  --seeds 1,2,3 [--scale K]     per seed, as a Markdown table: scikit-learn's RandomizedSearchCV; scikit-learn
 *                                          and foldwise on the same configurations and folds (sklearn_peer.py --configs);
 *                                          with standard scaling also scikit-learn fitting from foldwise's random draws
 *                                          (--foldwise-draws), where the two should agree up to float rounding
 *
 * The job is test/bench/e2e/digits-mlp.yaml (override with --spec). Run on purpose, not in the test suite:
 *   node --import tsx test/bench/e2e/sklearn_compare.ts compare --seeds 1,2,3
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { planFolds, preprocessFold, gatherLabels, type FoldPlan } from '@foldwise/activities';
import { loadDataset, type Dataset } from '@foldwise/datasets';
import { selectBackend, train, type TrainJob } from '@foldwise/models';
import { createStrategy } from '@foldwise/selection';
import { parseSearchSpec, type SearchSpec } from '@foldwise/spec';

const HERE = __dirname;
const ROOT = path.resolve(HERE, '../../..');
const PEER = path.join(HERE, 'sklearn_peer.py');
const DATA = path.join(ROOT, 'libs/datasets/data/digits.csv');

type Scale = 'standard' | 'minmax' | 'none' | 'image';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function loadSpec(seed: number): SearchSpec {
  const file = arg('spec', path.join(HERE, 'digits-mlp.yaml'))!;
  const raw = parseYaml(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  return parseSearchSpec({ ...raw, seed });
}

/** The configurations a random search of `spec` proposes, in trial order (trial i at position i). */
function proposals(spec: SearchSpec): { trialIndex: number; params: Record<string, unknown> }[] {
  const model = spec.models[0]!;
  const s = createStrategy(spec.strategy, [{ model: model.family, space: model.space }], {
    seed: spec.seed,
    direction: 'maximize',
    budget: spec.budget.trials,
  });
  return s.ask(spec.budget.trials).map((p, i) => {
    if (p.trialIndex !== i) throw new Error(`proposals: trial ${p.trialIndex} at position ${i}`);
    return { trialIndex: p.trialIndex, params: p.params };
  });
}

async function inputsFor(seed: number): Promise<{ spec: SearchSpec; ds: Dataset; plan: FoldPlan }> {
  const spec = loadSpec(seed);
  const ds = await loadDataset(spec.dataset as never);
  return { spec, ds, plan: planFolds(ds, spec.cv, seed) };
}

function writeInputs(dir: string, spec: SearchSpec, plan: FoldPlan): void {
  fs.mkdirSync(dir, { recursive: true });
  const rows = (a: Uint32Array) => Array.from(a);
  const planJson = {
    pool: rows(plan.pool),
    holdout: rows(plan.holdout),
    folds: plan.folds.map((f) => ({ train: rows(f.train), test: rows(f.test) })),
  };
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(planJson));
  fs.writeFileSync(path.join(dir, 'space.json'), JSON.stringify(spec.models[0]!.space));
  fs.writeFileSync(path.join(dir, 'configs.json'), JSON.stringify(proposals(spec).map((p) => p.params)));
}

/** Every proposed configuration trained on every fold with foldwise's trainer, as the worker would. */
async function foldwiseCv(seed: number, scale?: Scale) {
  await selectBackend('auto');
  const { spec, ds, plan } = await inputsFor(seed);
  const model = spec.models[0]!;
  const preprocess = scale ? { scale } : model.preprocess;
  const folds = plan.folds.map((f) => ({
    ...preprocessFold(ds, f.train, f.test, preprocess),
    yTrain: gatherLabels(ds.y, f.train),
    yVal: gatherLabels(ds.y, f.test),
  }));
  const t0 = performance.now();
  const means: number[] = [];
  const configs = proposals(spec);
  for (const { trialIndex, params } of configs) {
    let sum = 0;
    for (const [fold, d] of folds.entries()) {
      const job: TrainJob = {
        family: model.family,
        params: { ...model.params, ...params },
        task: ds.task,
        nFeatures: ds.nFeatures,
        nClasses: ds.classes?.length ?? 0,
        ...d,
        seed: (seed * 1_000_003 + trialIndex * 7919 + fold) >>> 0,
      };
      const r = await train(job);
      let hit = 0;
      r.valPred.forEach((p, i) => (hit += p === d.yVal[i] ? 1 : 0));
      sum += hit / d.yVal.length;
    }
    means.push(sum / folds.length);
  }
  const best = means.indexOf(Math.max(...means));
  return {
    wall_s: (performance.now() - t0) / 1000,
    best_cv: means[best]!,
    best_params: configs[best]!.params,
    mean_cv: means,
    scale: preprocess?.scale ?? 'default',
  };
}

interface PeerOut {
  wall_s: number;
  best_cv: number;
  holdout: number;
  mean_cv?: number[];
  best_params: Record<string, unknown>;
}

function peer(dir: string, seed: number, extra: string[]): PeerOut {
  const args = [
    PEER,
    '--data',
    DATA,
    '--plan',
    path.join(dir, 'plan.json'),
    '--space',
    path.join(dir, 'space.json'),
  ];
  const out = execFileSync(
    '/usr/bin/python3',
    [...args, '--trials', '30', '--seed', String(seed), ...extra],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as PeerOut;
}

const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;

/** Mean and largest absolute per-configuration difference between two lists of mean CV accuracies. */
function gaps(a: number[], b: number[] | undefined): { mean: number; worst: number } {
  const d = a.map((v, i) => v - (b?.[i] ?? NaN));
  return { mean: d.reduce((x, y) => x + y, 0) / d.length, worst: Math.max(...d.map(Math.abs)) };
}

async function compare(seeds: number[], scale?: Scale): Promise<void> {
  const rows: string[] = [];
  let standard = false;
  for (const seed of seeds) {
    const { spec, plan } = await inputsFor(seed);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foldwise-peer-'));
    try {
      writeInputs(dir, spec, plan);
      const fw = await foldwiseCv(seed, scale);
      const configs = ['--configs', path.join(dir, 'configs.json')];
      const same = peer(dir, seed, configs);
      const search = peer(dir, seed, []);
      const g = gaps(fw.mean_cv, same.mean_cv);
      let drawn = '';
      standard = fw.scale === 'standard';
      if (standard) {
        const crn = peer(dir, seed, [...configs, '--foldwise-draws']);
        const c = gaps(fw.mean_cv, crn.mean_cv);
        drawn = ` ${crn.best_cv.toFixed(4)} | ${signed(c.mean)} / ${c.worst.toFixed(4)} |`;
      }
      rows.push(
        `| ${seed} | ${search.best_cv.toFixed(4)} | ${same.best_cv.toFixed(4)} | ${fw.best_cv.toFixed(4)} | ${signed(g.mean)} / ${g.worst.toFixed(4)} |${drawn}`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`foldwise preprocessing: ${scale ?? 'as the spec says'}`);
  const head = [
    'seed',
    'scikit-learn RandomizedSearchCV best CV',
    'scikit-learn best CV (foldwise’s 30)',
    'foldwise best CV (its 30)',
    'per-config gap: mean / largest',
    ...(standard
      ? ['scikit-learn from foldwise’s draws: best CV', 'its per-config gap: mean / largest']
      : []),
  ];
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => ' --- |').join('')}`);
  for (const r of rows) console.log(r);
}

async function main(): Promise<void> {
  const cmd = process.argv[2];
  const scale = arg('scale') as Scale | undefined;
  if (cmd === 'inputs') {
    const seed = Number(arg('seed', '1'));
    const { spec, plan } = await inputsFor(seed);
    writeInputs(arg('out', '.')!, spec, plan);
  } else if (cmd === 'foldwise') {
    console.log(JSON.stringify(await foldwiseCv(Number(arg('seed', '1')), scale)));
  } else if (cmd === 'compare') {
    await compare(arg('seeds', '1,2,3')!.split(',').map(Number), scale);
  } else {
    console.error(
      'usage: sklearn_compare.ts inputs|foldwise|compare [--seed S | --seeds 1,2,3] [--out DIR] [--scale K]',
    );
    process.exitCode = 2;
  }
}

void main();
