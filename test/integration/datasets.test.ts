import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import {
  DATASETS_BUCKET,
  DatasetError,
  clearStagedMemoryCache,
  loadDataset,
  loadStagedDataset,
  parseCsv,
  stageDataFile,
  stageDataset,
  stagedCachePath,
  type StageMeta,
  type StagedLoadEvent,
} from '@foldwise/datasets';
import { stackEnv } from '../support/stack';

let client: MongoClient;
let db: Db;
let cacheDir: string;

function syntheticCsv(rows: number, salt: string): Buffer {
  const lines = ['x1,x2,colour,label'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `${(i * 0.37) % 11},${(i * 1.91) % 7},${['red', 'green', 'blue'][i % 3]},${i % 4 === 0 ? 'yes' : 'no'}`,
    );
  }
  lines.push(`0,0,${salt},no`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

const meta: StageMeta = { filename: 'synthetic.csv', format: 'csv', target: 'label', missing: 'reject' };

function recorder(): { events: StagedLoadEvent[]; onEvent: (e: StagedLoadEvent) => void } {
  const events: StagedLoadEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

before(async () => {
  const env = stackEnv();
  client = new MongoClient(env.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  db = client.db(`${env.MONGODB_DB}_datasets_${process.pid}`);
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'foldwise-ds-cache-'));
});

after(async () => {
  await db?.dropDatabase();
  await client?.close();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

test('staging the same content twice uploads it only once', async () => {
  const content = syntheticCsv(30_000, 'twice');
  const first = await stageDataset(db, content, meta);
  assert.equal(first.existed, false);
  const chunksAfterFirst = await db.collection(`${DATASETS_BUCKET}.chunks`).countDocuments();
  assert.ok(chunksAfterFirst > 1, `a ${content.length}-byte file should span several chunks`);
  const second = await stageDataset(db, content, { ...meta, filename: 'renamed.csv' });
  assert.deepEqual(second, { sha256: first.sha256, existed: true });
  assert.equal(await db.collection(`${DATASETS_BUCKET}.files`).countDocuments({ filename: first.sha256 }), 1);
  assert.equal(await db.collection(`${DATASETS_BUCKET}.chunks`).countDocuments(), chunksAfterFirst);
});

test('concurrent stagings of the same content leave exactly one file and no orphan chunks', async () => {
  const content = syntheticCsv(20_000, 'race');
  const results = await Promise.all([1, 2, 3].map(() => stageDataset(db, content, meta)));
  assert.equal(results.filter((r) => !r.existed).length, 1);
  const files = await db
    .collection(`${DATASETS_BUCKET}.files`)
    .find({ filename: results[0]?.sha256 })
    .toArray();
  assert.equal(files.length, 1);
  const ids = new Set(
    (await db.collection(`${DATASETS_BUCKET}.files`).find().toArray()).map((f) => String(f._id)),
  );
  const chunkOwners = await db.collection(`${DATASETS_BUCKET}.chunks`).distinct('files_id');
  assert.deepEqual(
    chunkOwners.map(String).filter((id) => !ids.has(id)),
    [],
  );
});

test('a staged dataset loads back equal to parsing the file locally, then from its cache file', async () => {
  const content = syntheticCsv(5_000, 'roundtrip');
  const { sha256 } = await stageDataset(db, content, meta);
  const rec = recorder();
  const ds = await loadStagedDataset(db, sha256, { cacheDir, onEvent: rec.onEvent });
  assert.deepEqual(rec.events, ['downloaded']);
  const local = parseCsv(content, { target: 'label', missing: 'reject' });
  assert.equal(ds.hash, local.hash);
  assert.equal(ds.name, 'synthetic.csv');
  assert.deepEqual(fs.readFileSync(stagedCachePath(cacheDir, sha256, 'csv')), content);
  assert.deepEqual(
    fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp')),
    [],
  );

  const again = recorder();
  assert.equal(await loadStagedDataset(db, sha256, { cacheDir, onEvent: again.onEvent }), ds);
  assert.deepEqual(again.events, ['memory-hit']);

  clearStagedMemoryCache();
  const fromDisk = recorder();
  assert.equal(
    (await loadStagedDataset(db, sha256, { cacheDir, onEvent: fromDisk.onEvent })).hash,
    local.hash,
  );
  assert.deepEqual(fromDisk.events, ['cache-hit']);
});

test('a corrupted cache file is detected and downloaded again', async () => {
  const content = syntheticCsv(5_000, 'corrupt-cache');
  const { sha256 } = await stageDataset(db, content, meta);
  await loadStagedDataset(db, sha256, { cacheDir });
  const file = stagedCachePath(cacheDir, sha256, 'csv');
  const damaged = Buffer.from(content);
  damaged[100] = damaged[100] === 0x31 ? 0x32 : 0x31;
  fs.writeFileSync(file, damaged);
  clearStagedMemoryCache();
  const rec = recorder();
  const ds = await loadStagedDataset(db, sha256, { cacheDir, onEvent: rec.onEvent });
  assert.deepEqual(rec.events, ['cache-corrupt', 'downloaded']);
  assert.deepEqual(fs.readFileSync(file), content);
  assert.equal(ds.hash, parseCsv(content, { target: 'label' }).hash);
});

test('a stored file whose chunks were altered fails its checksum and leaves no cache file behind', async () => {
  const content = syntheticCsv(3_000, 'corrupt-store');
  const { sha256 } = await stageDataset(db, content, meta);
  const fileDoc = await db.collection(`${DATASETS_BUCKET}.files`).findOne({ filename: sha256 });
  assert.ok(fileDoc);
  const chunk = await db.collection(`${DATASETS_BUCKET}.chunks`).findOne({ files_id: fileDoc._id, n: 0 });
  assert.ok(chunk);
  const bytes = Buffer.from((chunk['data'] as { buffer: Uint8Array }).buffer);
  bytes[50] = bytes[50] === 0x31 ? 0x32 : 0x31;
  await db.collection(`${DATASETS_BUCKET}.chunks`).updateOne({ _id: chunk._id }, { $set: { data: bytes } });
  clearStagedMemoryCache();
  await assert.rejects(
    loadStagedDataset(db, sha256, { cacheDir }),
    (e: unknown) => e instanceof DatasetError && e.code === 'ChecksumMismatch' && e.message.includes(sha256),
  );
  assert.deepEqual(
    fs.readdirSync(cacheDir).filter((f) => f.startsWith(sha256)),
    [],
  );
});

test('content that does not parse is refused before anything is uploaded', async () => {
  const bad = Buffer.from('x1,x2,label\n1,2,yes\n3,4\n');
  const before = await db.collection(`${DATASETS_BUCKET}.files`).countDocuments();
  await assert.rejects(
    stageDataset(db, bad, { ...meta, target: 'label' }),
    /row 3: expected 3 columns as in the header, found 2/,
  );
  assert.equal(await db.collection(`${DATASETS_BUCKET}.files`).countDocuments(), before);
});

test('loading a sha256 that was never staged names it', async () => {
  const missing = 'f'.repeat(64);
  await assert.rejects(
    loadStagedDataset(db, missing, { cacheDir }),
    new RegExp(`staged dataset ${missing}: not found in GridFS bucket 'datasets'`),
  );
});

test('a file named in a spec is confined to the allowed roots, staged, and loaded through its resolved reference', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'foldwise-ds-root-'));
  try {
    const content = syntheticCsv(1_000, 'spec-file');
    fs.writeFileSync(path.join(root, 'train.csv'), content);
    await assert.rejects(
      stageDataFile(db, '../train.csv', [root], { format: 'csv', target: 'label' }),
      /lies outside the allowed roots/,
    );
    const staged = await stageDataFile(db, 'train.csv', [root], { format: 'csv', target: 'label' });
    assert.equal(staged.existed, false);
    assert.equal(staged.path, fs.realpathSync(path.join(root, 'train.csv')));
    const ds = await loadDataset(
      { sha256: staged.sha256, format: 'csv', target: 'label', missing: 'reject' },
      { db, cacheDir },
    );
    assert.equal(ds.hash, parseCsv(content, { target: 'label' }).hash);
    assert.equal(ds.name, 'train.csv');
    const asColour = await loadDataset(
      { sha256: staged.sha256, format: 'csv', target: 'colour', missing: 'reject' },
      { db, cacheDir },
    );
    assert.deepEqual(asColour.classes, ['blue', 'green', 'red', 'spec-file']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
