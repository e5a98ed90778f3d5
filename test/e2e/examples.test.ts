import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { validateSearchSpec } from '@foldwise/spec';
import { described, foldwise } from '../support/cli';
import { startWorkerProcess, type WorkerProcess } from '../support/workers';

const examples = resolve(__dirname, '..', '..', 'examples');
const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
let worker: WorkerProcess;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'foldwise-examples-'));
  worker = await startWorkerProcess({ FOLDWISE_SLOTS: '2' });
  await worker.ready;
});

after(async () => {
  await worker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What an example is cut to: fewer trials, fewer epochs per model, a smaller subset; everything else as shipped. */
interface Reduction {
  trials: number;
  epochs: number;
  subset?: number;
}

interface ExampleSpec {
  name: string;
  dataset: { builtin?: string; subset?: number };
  models: { family: string; params?: { epochs?: number } }[];
  budget: { trials: number; parallelism?: number };
  refit?: boolean;
  cv: { holdout?: number };
}

function reduce(spec: ExampleSpec, cut: Reduction): ExampleSpec {
  return {
    ...spec,
    name: `${spec.name}-${runId}`.slice(0, 64),
    dataset:
      cut.subset !== undefined && spec.dataset.subset !== undefined
        ? { ...spec.dataset, subset: Math.min(spec.dataset.subset, cut.subset) }
        : spec.dataset,
    models: spec.models.map((m) => ({
      ...m,
      params: { ...m.params, epochs: Math.min(m.params?.epochs ?? cut.epochs, cut.epochs) },
    })),
    budget: { ...spec.budget, trials: Math.min(spec.budget.trials, cut.trials) },
  };
}

interface JsonResult {
  status: string;
  best: { model: string; score: number } | null;
  leaderboard: { model: string; status: string; folds: number; error?: string }[];
  comparison: { verdict: string } | null;
  counts: { trials: number; completed: number; failed: number };
  refit: { artifact: string; nTest: number; testMetrics?: Record<string, number> } | null;
}

/**
 * Runs one shipped example through `foldwise submit --json` with a reduced budget and checks that every model family
 * it names trains, is scored and compared, and that the winner is refit as the example promises.
 */
async function runExample(file: string, cut: Reduction, chance: number): Promise<JsonResult> {
  const raw = parseYaml(readFileSync(join(examples, file), 'utf8')) as ExampleSpec;
  const valid = validateSearchSpec(raw);
  assert.ok(valid.success, `examples/${file} as shipped is a valid spec: ${JSON.stringify(valid)}`);
  const spec = reduce(raw, cut);
  const reduced = join(dir, file);
  writeFileSync(reduced, toYaml(spec));
  const args = ['submit', reduced, '--json', '--search-id', `example-${spec.name}`];
  const r = await foldwise(args, 600_000);
  assert.equal(r.code, 0, `${described(args, r)}\nworker:\n${worker.output().slice(-3000)}`);
  const result = JSON.parse(r.stdout) as JsonResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.counts.trials, spec.budget.trials);
  const errors = result.leaderboard.filter((t) => t.error).map((t) => `${t.model}: ${t.error}`);
  assert.equal(result.counts.failed, 0, `no trial fails: ${errors.join('; ')}`);
  assert.deepEqual(
    [...new Set(result.leaderboard.map((t) => t.model))].sort(),
    [...new Set(raw.models.map((m) => m.family))].sort(),
    'every model family of the example was searched',
  );
  assert.ok(result.best && result.best.score > chance, `best ${result.best?.score} above chance ${chance}`);
  if (result.counts.completed >= 2)
    assert.ok(result.comparison?.verdict, 'the best configurations are compared');
  if (raw.refit !== false) assert.ok(result.refit?.artifact, 'the winner is refit and stored');
  return result;
}

test('examples/iris.yaml runs on a reduced budget (4 trials, 8 epochs)', { timeout: 600_000 }, async () => {
  await runExample('iris.yaml', { trials: 4, epochs: 8 }, 1 / 3);
});

test(
  'examples/digits.yaml runs on a reduced budget (4 trials, 3 epochs) and scores the refit winner on its hold-out',
  { timeout: 600_000 },
  async () => {
    const r = await runExample('digits.yaml', { trials: 4, epochs: 3 }, 0.1);
    assert.equal(r.refit?.nTest, 360, 'cv.holdout 0.2 of 1,797 digits');
    assert.equal(typeof r.refit?.testMetrics?.['accuracy'], 'number');
  },
);

test(
  'examples/fashion-mnist.yaml runs on a reduced budget (3 trials, 1 epoch, 600 images) and tests the refit winner on the 10,000 test images',
  { timeout: 600_000 },
  async () => {
    assert.ok(
      existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz'),
      'Fashion-MNIST is installed (Debian package dataset-fashion-mnist)',
    );
    const r = await runExample('fashion-mnist.yaml', { trials: 3, epochs: 1, subset: 600 }, 0.1);
    assert.equal(r.refit?.nTest, 10_000, 'the official test set');
    assert.ok((r.refit?.testMetrics?.['accuracy'] ?? 0) > 0.1);
  },
);
