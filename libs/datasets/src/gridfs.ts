import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, type Db, type GridFSFile } from 'mongodb';
import { DatasetError, DatasetErrorCode } from './errors';
import { sha256Hex } from './hash';
import { parseCsv, parseJsonl, type ParseOptions } from './tabular';
import type { Dataset } from './types';

/** GridFS bucket that holds staged datasets, one file per content sha256. */
export const DATASETS_BUCKET = 'datasets';

/** File formats a staged dataset can have. */
export const StagedFormat = { Csv: 'csv', Jsonl: 'jsonl' } as const;
/** One of the values of `StagedFormat`. */
export type StagedFormat = (typeof StagedFormat)[keyof typeof StagedFormat];

/** How to read a staged file: its original name, its format and the parse options. */
export interface StageMeta extends ParseOptions {
  filename: string;
  format: StagedFormat;
}

/** The metadata stored with each GridFS file of the `datasets` bucket. */
export interface StagedMetadata {
  sha256: string;
  size: number;
  filename: string;
  format: StagedFormat;
  parse: ParseOptions;
}

/** What happened while loading a staged dataset, for logs and metrics. */
export const StagedLoadEvent = {
  MemoryHit: 'memory-hit',
  CacheHit: 'cache-hit',
  CacheCorrupt: 'cache-corrupt',
  Downloaded: 'downloaded',
} as const;
/** One of the values of `StagedLoadEvent`. */
export type StagedLoadEvent = (typeof StagedLoadEvent)[keyof typeof StagedLoadEvent];

/** Options of `loadStagedDataset`: the local cache directory, parse options that override the stored ones, and an observer. */
export interface LoadStagedOptions {
  cacheDir: string;
  parse?: Partial<ParseOptions>;
  onEvent?: (event: StagedLoadEvent) => void;
}

const SHA256_RE = /^[0-9a-f]{64}$/;
const indexed = new WeakSet<Db>();
const memory = new Map<string, Promise<Dataset>>();

function parseAs(format: StagedFormat, content: Buffer, opts: ParseOptions): Dataset {
  if (format === StagedFormat.Csv) return parseCsv(content, opts);
  if (format === StagedFormat.Jsonl) return parseJsonl(content, opts);
  throw new DatasetError(
    DatasetErrorCode.InvalidOption,
    `format: must be 'csv' or 'jsonl' (got '${String(format)}')`,
  );
}

function parseOptionsOf(meta: StageMeta): ParseOptions {
  const { filename: _f, format: _fmt, ...rest } = meta;
  return Object.fromEntries(
    Object.entries(rest).filter(([, v]) => v !== undefined),
  ) as unknown as ParseOptions;
}

async function ensureIndex(db: Db): Promise<void> {
  if (indexed.has(db)) return;
  await db
    .collection(`${DATASETS_BUCKET}.files`)
    .createIndex({ filename: 1 }, { unique: true, name: 'filename_unique' });
  indexed.add(db);
}

function isDuplicateKey(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 11000;
}

/** Uploads dataset content once to the GridFS bucket `datasets` under its sha256 (after checking that it parses with `meta`); a second upload of the same content uploads nothing and reports `existed: true`. */
export async function stageDataset(
  db: Db,
  content: Buffer,
  meta: StageMeta,
): Promise<{ sha256: string; existed: boolean }> {
  const parse = parseOptionsOf(meta);
  parseAs(meta.format, content, parse);
  const sha256 = sha256Hex(content);
  await ensureIndex(db);
  const bucket = new GridFSBucket(db, { bucketName: DATASETS_BUCKET });
  const found = await bucket.find({ filename: sha256 }, { limit: 1 }).toArray();
  if (found.length > 0) return { sha256, existed: true };
  const metadata: StagedMetadata = {
    sha256,
    size: content.length,
    filename: meta.filename,
    format: meta.format,
    parse,
  };
  const upload = bucket.openUploadStream(sha256, { metadata });
  try {
    await new Promise<void>((resolve, reject) => {
      upload.once('finish', () => resolve());
      upload.once('error', reject);
      upload.end(content);
    });
  } catch (e) {
    await db.collection(`${DATASETS_BUCKET}.chunks`).deleteMany({ files_id: upload.id });
    if (isDuplicateKey(e)) return { sha256, existed: true };
    throw e;
  }
  return { sha256, existed: false };
}

/** Local cache file of a staged dataset. */
export function stagedCachePath(cacheDir: string, sha256: string, format: StagedFormat): string {
  if (!SHA256_RE.test(sha256))
    throw new DatasetError(
      DatasetErrorCode.InvalidOption,
      `sha256: must be 64 lower-case hex digits (got '${sha256}')`,
    );
  return path.join(cacheDir, `${sha256}.${format}`);
}

async function readVerified(file: string, sha256: string): Promise<Buffer | undefined> {
  let content: Buffer;
  try {
    content = await fs.promises.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return sha256Hex(content) === sha256 ? content : undefined;
}

async function download(bucket: GridFSBucket, doc: GridFSFile, file: string, sha256: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(bucket.openDownloadStream(doc._id), tap, fs.createWriteStream(tmp, { flags: 'wx' }));
    const got = hash.digest('hex');
    if (got !== sha256) {
      throw new DatasetError(
        DatasetErrorCode.ChecksumMismatch,
        `staged dataset ${sha256}: downloaded content hashes to ${got}; the stored file is corrupt`,
      );
    }
    const fh = await fs.promises.open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

async function loadUncached(db: Db, sha256: string, opts: LoadStagedOptions): Promise<Dataset> {
  const bucket = new GridFSBucket(db, { bucketName: DATASETS_BUCKET });
  const [doc] = await bucket.find({ filename: sha256 }, { sort: { _id: 1 }, limit: 1 }).toArray();
  if (!doc)
    throw new DatasetError(
      DatasetErrorCode.NotStaged,
      `staged dataset ${sha256}: not found in GridFS bucket '${DATASETS_BUCKET}'`,
    );
  const meta = doc.metadata as StagedMetadata | undefined;
  if (!meta || !meta.parse || !meta.format) {
    throw new DatasetError(
      DatasetErrorCode.NotStaged,
      `staged dataset ${sha256}: the stored file has no parse metadata`,
    );
  }
  const file = stagedCachePath(opts.cacheDir, sha256, meta.format);
  let content = await readVerified(file, sha256);
  if (content) {
    opts.onEvent?.(StagedLoadEvent.CacheHit);
  } else {
    if (fs.existsSync(file)) {
      opts.onEvent?.(StagedLoadEvent.CacheCorrupt);
      await fs.promises.rm(file, { force: true });
    }
    await download(bucket, doc, file, sha256);
    opts.onEvent?.(StagedLoadEvent.Downloaded);
    content = await readVerified(file, sha256);
    if (!content)
      throw new DatasetError(
        DatasetErrorCode.ChecksumMismatch,
        `staged dataset ${sha256}: cache file ${file} changed while it was being read`,
      );
  }
  const parse: ParseOptions = { name: meta.filename, ...meta.parse, ...(opts.parse ?? {}) } as ParseOptions;
  return parseAs(meta.format, content, parse);
}

/** Loads a staged dataset: downloads it once into `cacheDir` (sha256 verified while streaming, written to a temp file then renamed), re-downloads a cache file that fails its checksum, parses it with the stored options, and caches the result in memory. */
export function loadStagedDataset(db: Db, sha256: string, opts: LoadStagedOptions): Promise<Dataset> {
  if (!SHA256_RE.test(sha256)) {
    return Promise.reject(
      new DatasetError(
        DatasetErrorCode.InvalidOption,
        `sha256: must be 64 lower-case hex digits (got '${sha256}')`,
      ),
    );
  }
  const key = `${db.databaseName}|${sha256}|${JSON.stringify(opts.parse ?? {})}`;
  const hit = memory.get(key);
  if (hit) {
    opts.onEvent?.(StagedLoadEvent.MemoryHit);
    return hit;
  }
  const p = loadUncached(db, sha256, opts);
  memory.set(key, p);
  p.catch(() => memory.delete(key));
  return p;
}

/** Forgets staged datasets cached in memory (the local cache files stay). */
export function clearStagedMemoryCache(): void {
  memory.clear();
}
