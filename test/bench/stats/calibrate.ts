/**
 * Real fold scores for `bench:stats`: repeated cross-validation of fixed configurations on digits and wine with
 * foldwise's own trainer, to size the simulation's noise and its correlation between folds.
 *
 * Two designs, each a list of cross-validations of k = 5 stratified folds:
 * - `repeats`: the whole dataset, reshuffled (the folds of `planFolds(data, cv, seed = 1000 + r)`): the variance a
 *   new partition of the same data brings;
 * - `subsets`: disjoint parts of the dataset (digits in quarters, wine in halves, drawn again for each partition),
 *   one cross-validation each: the variance a new dataset from the same population brings, which is what the
 *   correlation between folds (overlapping training sets) is about.
 * In every cross-validation each configuration is trained on each fold. Two runs of one configuration that differ
 * only in their training seed (`a` and `a2`) differ by 0 in truth (the null); `a` against another family (`b`) by
 * a real amount.
 *
 *   node --import tsx test/bench/stats/calibrate.ts [--repeats 50] [--out test/bench/stats/fold-scores.json]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gatherLabels, planFolds, preprocessFold } from '@foldwise/activities';
import { loadDataset, type Dataset } from '@foldwise/datasets';
import { createRng } from '@foldwise/selection';
import { selectBackend, train, type TrainJob } from '@foldwise/models';
import type { CvSpec } from '@foldwise/spec';

/** The configurations scored on every fold: `a2` is `a` with another training seed. */
export const CALIBRATION_CONFIGS = {
  a: { family: 'logistic', params: { epochs: 20, batchSize: 64, learningRate: 0.05 }, seedOffset: 0 },
  a2: { family: 'logistic', params: { epochs: 20, batchSize: 64, learningRate: 0.05 }, seedOffset: 1 },
  b: {
    family: 'mlp',
    params: { epochs: 20, batchSize: 64, units: 64, learningRate: 0.003 },
    seedOffset: 0,
  },
} as const;

/** What calibrate writes: accuracy per dataset, configuration, repeat and fold. */
export interface FoldScoreFile {
  k: number;
  repeats: number;
  configs: typeof CALIBRATION_CONFIGS;
  /** `scores[design][config][cross-validation][fold]`, design `digits`, `wine` (repeats), `digits-subsets`, `wine-subsets`. */
  scores: Record<string, Record<string, number[][]>>;
  command: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

async function main(): Promise<void> {
  const repeats = Number(arg('repeats', '20'));
  const out = arg('out', path.join(__dirname, 'fold-scores.json'));
  const k = 5;
  const cv: CvSpec = { kind: 'stratified', k, repeats: 1, shuffle: true };
  await selectBackend('auto');
  const file: FoldScoreFile = {
    k,
    repeats,
    configs: CALIBRATION_CONFIGS,
    scores: {},
    command: `node --import tsx test/bench/stats/calibrate.ts --repeats ${repeats}`,
  };
  /** One cross-validation of every configuration on `ds`, appended to `perConfig`. */
  const crossValidate = async (ds: Dataset, seed: number, perConfig: Record<string, number[][]>) => {
    const plan = planFolds(ds, cv, seed);
    const folds = plan.folds.map((f) => ({
      ...preprocessFold(ds, f.train, f.test, { scale: 'standard' }),
      yTrain: gatherLabels(ds.y, f.train),
      yVal: gatherLabels(ds.y, f.test),
    }));
    for (const [id, c] of Object.entries(CALIBRATION_CONFIGS)) {
      const row: number[] = [];
      for (const [fold, d] of folds.entries()) {
        const job: TrainJob = {
          family: c.family,
          params: { ...c.params },
          task: ds.task,
          nFeatures: ds.nFeatures,
          nClasses: ds.classes?.length ?? 0,
          ...d,
          seed: (seed * 7919 + fold * 104729 + c.seedOffset * 15485863 + 17) >>> 0,
        };
        const res = await train(job);
        let hit = 0;
        res.valPred.forEach((p, i) => (hit += p === d.yVal[i] ? 1 : 0));
        row.push(hit / d.yVal.length);
      }
      (perConfig[id] ??= []).push(row);
    }
  };
  for (const name of ['digits', 'wine'] as const) {
    const ds = await loadDataset({ builtin: name });
    const t0 = performance.now();
    const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
    const perConfig: Record<string, number[][]> = {};
    for (let r = 0; r < repeats; r++) {
      await crossValidate(ds, 1000 + r, perConfig);
      process.stderr.write(`${name} repeat ${r + 1}/${repeats} (${elapsed()})\n`);
    }
    file.scores[name] = perConfig;
    const parts = name === 'digits' ? 4 : 2;
    const subsets: Record<string, number[][]> = {};
    for (let s = 0; s * parts < repeats; s++) {
      const order = createRng(5000 + s).shuffle(Array.from({ length: ds.nSamples }, (_, i) => i));
      for (let p = 0; p < parts; p++) {
        const rows = Uint32Array.from(order.filter((_, i) => i % parts === p).sort((x, y) => x - y));
        const X = new Float32Array(rows.length * ds.nFeatures);
        rows.forEach((r, i) =>
          X.set(ds.X.subarray(r * ds.nFeatures, (r + 1) * ds.nFeatures), i * ds.nFeatures),
        );
        const part: Dataset = {
          ...ds,
          hash: `${ds.hash}-part-${s}-${p}`,
          nSamples: rows.length,
          X,
          y: gatherLabels(ds.y, rows),
        };
        await crossValidate(part, 2000 + s * parts + p, subsets);
      }
      process.stderr.write(`${name} subsets ${(s + 1) * parts}/${repeats} (${elapsed()})\n`);
    }
    file.scores[`${name}-subsets`] = subsets;
  }
  fs.writeFileSync(out, `${JSON.stringify(file, null, 1)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
