import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { BuiltinDataset } from '@foldwise/spec';
import { DatasetError, DatasetErrorCode } from './errors';
import { datasetHash } from './hash';
import { readIdx } from './idx';
import { subsetDataset } from './subset';
import { parseCsv } from './tabular';
import { FeatureKind, Task, type Dataset } from './types';

/** Names of the datasets that ship with foldwise (the spec's `BuiltinDataset`). */
export const BuiltinName = BuiltinDataset;
/** One of the values of `BuiltinName`. */
export type BuiltinName = BuiltinDataset;

/** Every built-in dataset name. */
export const builtinNames: readonly BuiltinName[] = Object.values(BuiltinName);

/** What a built-in dataset holds, known without loading it. */
export interface BuiltinDescription {
  name: BuiltinName;
  task: Task;
  nSamples: number;
  nFeatures: number;
  classes?: (string | number)[];
  imageShape?: [number, number, number];
  imageMax?: number;
  heldOutSamples?: number;
  origin: string;
  licence: string;
}

const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const DESCRIPTIONS: Record<BuiltinName, BuiltinDescription> = {
  iris: {
    name: 'iris',
    task: 'classification',
    nSamples: 150,
    nFeatures: 4,
    classes: ['setosa', 'versicolor', 'virginica'],
    origin: 'Fisher (1936), UCI Machine Learning Repository',
    licence: 'CC BY 4.0',
  },
  wine: {
    name: 'wine',
    task: 'classification',
    nSamples: 178,
    nFeatures: 13,
    classes: ['class_0', 'class_1', 'class_2'],
    origin: 'Forina et al., UCI Machine Learning Repository',
    licence: 'CC BY 4.0',
  },
  'breast-cancer': {
    name: 'breast-cancer',
    task: 'classification',
    nSamples: 569,
    nFeatures: 30,
    classes: ['malignant', 'benign'],
    origin: 'Wisconsin Diagnostic Breast Cancer, UCI Machine Learning Repository',
    licence: 'CC BY 4.0',
  },
  digits: {
    name: 'digits',
    task: 'classification',
    nSamples: 1797,
    nFeatures: 64,
    classes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    imageShape: [8, 8, 1],
    imageMax: 16,
    origin: 'Optical Recognition of Handwritten Digits (test set), UCI Machine Learning Repository',
    licence: 'CC BY 4.0',
  },
  diabetes: {
    name: 'diabetes',
    task: 'regression',
    nSamples: 442,
    nFeatures: 10,
    origin: 'Efron et al. (2004), as distributed with scikit-learn',
    licence: 'BSD-3-Clause',
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    task: 'classification',
    nSamples: 60000,
    nFeatures: 784,
    classes: FASHION_CLASSES,
    imageShape: [28, 28, 1],
    imageMax: 255,
    heldOutSamples: 10000,
    origin: 'Zalando Research (Xiao, Rasul, Vollgraf 2017), Debian package dataset-fashion-mnist',
    licence: 'MIT',
  },
};

/** Default directory of the Fashion-MNIST IDX files (Debian's `dataset-fashion-mnist`); override with env FOLDWISE_FASHION_MNIST_DIR. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The CSV files: `data/` beside a built bundle, else the package's own `data/` beside `src/`. */
const DATA_DIR =
  [path.join(__dirname, 'data'), path.resolve(__dirname, '..', 'data')].find((d) =>
    fs.existsSync(path.join(d, 'iris.csv')),
  ) ?? path.resolve(__dirname, '..', 'data');

function checkName(name: string): BuiltinName {
  if (!(builtinNames as readonly string[]).includes(name)) {
    throw new DatasetError(
      DatasetErrorCode.UnknownDataset,
      `builtin: unknown dataset '${name}'; built-ins are ${builtinNames.join(', ')}`,
    );
  }
  return name as BuiltinName;
}

/** Rows, features, classes, origin and licence of a built-in dataset, without loading it. */
export function describeBuiltin(name: BuiltinName): BuiltinDescription {
  return structuredClone(DESCRIPTIONS[checkName(name)]);
}

function loadCsvBuiltin(desc: BuiltinDescription): Dataset {
  const file = path.join(DATA_DIR, `${desc.name}.csv`);
  const parsed = parseCsv(fs.readFileSync(file), { target: 'target', task: desc.task, name: desc.name });
  const { name: _name, hash: _hash, ...rest } = parsed;
  const content = {
    ...rest,
    ...(desc.classes ? { classes: desc.classes.slice() } : {}),
    ...(desc.imageShape ? { imageShape: desc.imageShape.slice() as [number, number, number] } : {}),
    ...(desc.imageMax !== undefined ? { imageMax: desc.imageMax } : {}),
  };
  return { name: desc.name, hash: datasetHash(content), ...content };
}

function findIdx(dir: string, base: string): string | undefined {
  for (const f of [base, `${base}.gz`]) {
    const p = path.join(dir, f);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

const gunzipAsync = promisify(gunzip);

async function readIdxFile(file: string): Promise<ReturnType<typeof readIdx>> {
  const raw = await fs.promises.readFile(file);
  return readIdx(raw[0] === 0x1f && raw[1] === 0x8b ? await gunzipAsync(raw) : raw);
}

async function readIdxPair(
  dir: string,
  images: string,
  labels: string,
  h: number,
  w: number,
): Promise<{ X: Float32Array; y: Float64Array; n: number }> {
  const ip = findIdx(dir, images) as string;
  const lp = findIdx(dir, labels) as string;
  const [img, lab] = await Promise.all([readIdxFile(ip), readIdxFile(lp)]);
  const [n = 0, ih, iw] = img.dims;
  if (img.dims.length !== 3 || ih !== h || iw !== w || !(img.data instanceof Uint8Array)) {
    throw new DatasetError(
      DatasetErrorCode.InvalidIdx,
      `${ip}: expected unsigned-byte images of shape [n, ${h}, ${w}], found [${img.dims.join(', ')}]`,
    );
  }
  if (lab.dims.length !== 1 || lab.dims[0] !== n) {
    throw new DatasetError(
      DatasetErrorCode.InvalidIdx,
      `${lp}: expected ${n} labels to match ${ip}, found shape [${lab.dims.join(', ')}]`,
    );
  }
  return { X: new Float32Array(img.data), y: Float64Array.from(lab.data), n };
}

async function loadFashionMnist(desc: BuiltinDescription): Promise<Dataset> {
  const dir =
    process.env['FOLDWISE_FASHION_MNIST_DIR'] ||
    process.env['FASHION_MNIST_DIR'] ||
    DEFAULT_FASHION_MNIST_DIR;
  const names = [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ];
  const absent = names.filter((f) => !findIdx(dir, f));
  if (absent.length > 0) {
    throw new DatasetError(
      DatasetErrorCode.NotInstalled,
      `fashion-mnist: IDX files not found in ${dir} (missing ${absent.map((f) => `${f}[.gz]`).join(', ')}); install them with \`apt-get install dataset-fashion-mnist\` or point FOLDWISE_FASHION_MNIST_DIR at a directory holding them`,
    );
  }
  const [h, w, c] = desc.imageShape as [number, number, number];
  const train = await readIdxPair(dir, 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte', h, w);
  const test = await readIdxPair(dir, 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', h, w);
  const featureNames: string[] = [];
  for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) featureNames.push(`pixel_${r}_${q}`);
  const content = {
    task: Task.Classification,
    nSamples: train.n,
    nFeatures: h * w * c,
    X: train.X,
    y: train.y,
    classes: (desc.classes as (string | number)[]).slice(),
    featureNames,
    featureKinds: featureNames.map(() => FeatureKind.Numeric),
    schema: { target: 'label', columns: featureNames.map((name) => ({ name, kind: FeatureKind.Numeric })) },
    imageShape: [h, w, c] as [number, number, number],
    imageMax: 255,
    heldOut: { X: test.X, y: test.y, nSamples: test.n },
  };
  return { name: desc.name, hash: datasetHash(content), ...content };
}

/** Options of `loadBuiltin`: a stratified sample of `subset` training rows, drawn deterministically from `seed` (default 0). */
export interface LoadBuiltinOptions {
  subset?: number;
  seed?: number;
}

const cache = new Map<string, Promise<Dataset>>();

/** Loads a built-in dataset (Fashion-MNIST with its official 10k test set as `heldOut`), cached in memory per process by (name, subset, seed) — a subset reuses the cached whole; never mutate the result. */
export function loadBuiltin(name: BuiltinName, opts: LoadBuiltinOptions = {}): Promise<Dataset> {
  let desc: BuiltinDescription;
  try {
    desc = DESCRIPTIONS[checkName(name)];
  } catch (e) {
    return Promise.reject(e);
  }
  const seed = opts.seed ?? 0;
  const key = `${name}|${opts.subset ?? 'all'}|${seed}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const subset = opts.subset;
  const p =
    subset === undefined
      ? desc.name === BuiltinName.FashionMnist
        ? loadFashionMnist(desc)
        : Promise.resolve().then(() => loadCsvBuiltin(desc))
      : loadBuiltin(name).then((full) => subsetDataset(full, subset, seed));
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  return p;
}

/** Forgets built-in datasets cached in memory. */
export function clearBuiltinCache(): void {
  cache.clear();
}
