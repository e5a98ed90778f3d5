import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DEFAULT_FASHION_MNIST_DIR,
  builtinNames,
  clearBuiltinCache,
  describeBuiltin,
  loadBuiltin,
  type BuiltinName,
} from './builtins';
import { validateForCv } from './validate';

function classCounts(y: Float64Array, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const v of y) counts[v] = (counts[v] as number) + 1;
  return counts;
}

const documented: [BuiltinName, number, number, number | undefined][] = [
  ['iris', 150, 4, 3],
  ['wine', 178, 13, 3],
  ['breast-cancer', 569, 30, 2],
  ['digits', 1797, 64, 10],
  ['diabetes', 442, 10, undefined],
];

test('the tabular built-ins load with their documented shapes and match their descriptions', async () => {
  for (const [name, rows, features, classes] of documented) {
    const ds = await loadBuiltin(name);
    const desc = describeBuiltin(name);
    assert.equal(ds.nSamples, rows, name);
    assert.equal(ds.nFeatures, features, name);
    assert.equal(ds.X.length, rows * features, name);
    assert.equal(ds.y.length, rows, name);
    assert.equal(ds.classes?.length, classes, name);
    assert.equal(ds.task, classes === undefined ? 'regression' : 'classification', name);
    assert.deepEqual(
      [desc.nSamples, desc.nFeatures, desc.classes?.length, desc.task],
      [rows, features, classes, ds.task],
      name,
    );
    assert.deepEqual(ds.classes, desc.classes, name);
    assert.equal(ds.featureNames.length, features, name);
    assert.deepEqual(validateForCv(ds, { k: 10, stratified: ds.task === 'classification' }), [], name);
  }
});

test('built-in values and labels are those of the shipped CSV files', async () => {
  const iris = await loadBuiltin('iris');
  assert.deepEqual(Array.from(iris.X.subarray(0, 4)), [5.1, 3.5, 1.4, 0.2].map(Math.fround));
  assert.deepEqual(classCounts(iris.y, 3), [50, 50, 50]);
  assert.equal(iris.classes?.[iris.y[0] as number], 'setosa');
  const cancer = await loadBuiltin('breast-cancer');
  assert.deepEqual(classCounts(cancer.y, 2), [212, 357]);
  const digits = await loadBuiltin('digits');
  assert.deepEqual(digits.imageShape, [8, 8, 1]);
  assert.equal(digits.imageMax, 16);
  assert.equal(Math.max(...digits.X), 16);
  const diabetes = await loadBuiltin('diabetes');
  assert.equal(diabetes.y[0], 151);
});

test('built-ins are cached per process and hash the same on every load', async () => {
  const a = await loadBuiltin('wine');
  assert.equal(await loadBuiltin('wine'), a);
  clearBuiltinCache();
  const b = await loadBuiltin('wine');
  assert.notEqual(b, a);
  assert.equal(b.hash, a.hash);
  const hashes = new Set(await Promise.all(documented.map(async ([n]) => (await loadBuiltin(n)).hash)));
  assert.equal(hashes.size, documented.length);
});

test('a subset is a stratified sample of the training rows, fixed by its seed', async () => {
  const full = await loadBuiltin('digits');
  const s1 = await loadBuiltin('digits', { subset: 300, seed: 7 });
  const s2 = await loadBuiltin('digits', { subset: 300, seed: 8 });
  assert.equal(await loadBuiltin('digits', { subset: 300, seed: 7 }), s1);
  clearBuiltinCache();
  const again = await loadBuiltin('digits', { subset: 300, seed: 7 });
  assert.equal(again.hash, s1.hash);
  assert.deepEqual(again.X, s1.X);
  assert.notEqual(s2.hash, s1.hash);
  assert.equal(s1.nSamples, 300);
  const fullCounts = classCounts(full.y, 10);
  classCounts(s1.y, 10).forEach((c, k) =>
    assert.ok(Math.abs(c - (300 * (fullCounts[k] as number)) / full.nSamples) < 1, `class ${k}: ${c}`),
  );
  const rowsOfFull = new Set<string>();
  for (let i = 0; i < full.nSamples; i++)
    rowsOfFull.add(`${Array.from(full.X.subarray(i * 64, (i + 1) * 64))}|${full.y[i]}`);
  for (let i = 0; i < s1.nSamples; i++)
    assert.ok(rowsOfFull.has(`${Array.from(s1.X.subarray(i * 64, (i + 1) * 64))}|${s1.y[i]}`));
  assert.equal((await loadBuiltin('iris', { subset: 1000 })).hash, (await loadBuiltin('iris')).hash);
});

test('unknown names and bad subsets are refused', async () => {
  await assert.rejects(
    loadBuiltin('mnist' as BuiltinName),
    /builtin: unknown dataset 'mnist'; built-ins are iris, wine, breast-cancer, digits, diabetes, fashion-mnist/,
  );
  await assert.rejects(loadBuiltin('iris', { subset: 0 }), /subset: must be a positive integer \(got 0\)/);
  assert.deepEqual(
    [...builtinNames],
    ['iris', 'wine', 'breast-cancer', 'digits', 'diabetes', 'fashion-mnist'],
  );
});

test('Fashion-MNIST without its IDX files asks for the Debian package', async () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'foldwise-fmnist-'));
  const saved = process.env['FASHION_MNIST_DIR'];
  process.env['FASHION_MNIST_DIR'] = empty;
  try {
    clearBuiltinCache();
    await assert.rejects(
      loadBuiltin('fashion-mnist'),
      (e: Error) =>
        e.message.includes(`IDX files not found in ${empty}`) &&
        e.message.includes('apt-get install dataset-fashion-mnist'),
    );
  } finally {
    if (saved === undefined) delete process.env['FASHION_MNIST_DIR'];
    else process.env['FASHION_MNIST_DIR'] = saved;
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

const fashionDir = process.env['FASHION_MNIST_DIR'] || DEFAULT_FASHION_MNIST_DIR;
const fashionInstalled =
  fs.existsSync(path.join(fashionDir, 'train-images-idx3-ubyte.gz')) ||
  fs.existsSync(path.join(fashionDir, 'train-images-idx3-ubyte'));

// Reference figures from /usr/bin/python3 with numpy over the same gzip files (pixel sums as int64, np.bincount of labels).
test(
  'Fashion-MNIST loads 60000×784 training images and the official 10000 test images as held out',
  {
    skip: fashionInstalled
      ? false
      : `Fashion-MNIST IDX files not in ${fashionDir}: apt-get install dataset-fashion-mnist`,
  },
  async () => {
    clearBuiltinCache();
    const ds = await loadBuiltin('fashion-mnist');
    assert.equal(ds.nSamples, 60000);
    assert.equal(ds.nFeatures, 784);
    assert.deepEqual(ds.imageShape, [28, 28, 1]);
    assert.equal(ds.heldOut?.nSamples, 10000);
    assert.equal(ds.heldOut?.X.length, 10000 * 784);
    assert.deepEqual(classCounts(ds.y, 10), new Array(10).fill(6000));
    assert.deepEqual(classCounts(ds.heldOut.y, 10), new Array(10).fill(1000));
    assert.deepEqual(Array.from(ds.y.subarray(0, 5)), [9, 0, 0, 3, 0]);
    assert.deepEqual(Array.from(ds.heldOut.y.subarray(0, 5)), [9, 2, 1, 1, 6]);
    let sum = 0;
    for (const v of ds.X) sum += v;
    assert.equal(sum, 3431114169);
    sum = 0;
    for (const v of ds.heldOut.X) sum += v;
    assert.equal(sum, 573469082);
    assert.equal(ds.classes?.[9], 'Ankle boot');
    const sub = await loadBuiltin('fashion-mnist', { subset: 2000, seed: 1 });
    assert.deepEqual(classCounts(sub.y, 10), new Array(10).fill(200));
    assert.equal(sub.heldOut, ds.heldOut);
  },
);
