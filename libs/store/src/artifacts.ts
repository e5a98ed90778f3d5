import { createHash } from 'node:crypto';
import { decodeNestedArrays, encodeNestedArrays } from './shared';
import { GridFSBucket, type Db, type GridFSFile, type ObjectId } from 'mongodb';

/** A stored artifact: its newest revision's bytes and metadata. */
export interface Artifact {
  id: string;
  name: string;
  bytes: Uint8Array;
  metadata: Record<string, unknown>;
  sha256: string;
  uploadDate: Date;
}

/** Binary artifacts (refit models, checkpoints) in the GridFS bucket `artifacts`, keyed by name. */
export interface ArtifactStore {
  /**
   * Stores bytes under a name. Idempotency key: the name. Writing the same bytes again writes nothing
   * (`written: false`); different bytes become the newest revision and older revisions are removed.
   */
  put(
    name: string,
    bytes: Uint8Array,
    metadata?: Record<string, unknown>,
  ): Promise<{ id: string; written: boolean }>;
  /** The bytes of the newest revision stored under a name, or null. */
  get(name: string): Promise<Uint8Array | null>;
  /** The newest revision stored under a name with its metadata, or null. */
  read(name: string): Promise<Artifact | null>;
  /** Names stored under a prefix (e.g. `models/<searchId>/<trialId>/`), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Whether anything is stored under a name. */
  exists(name: string): Promise<boolean>;
  /** Removes every revision stored under a name; returns how many were removed. */
  remove(name: string): Promise<number>;
  /** Removes every revision of every name under a prefix (one query to find them); returns the names removed. */
  removePrefix(prefix: string): Promise<string[]>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Builds the artifact store on bucket `bucketName` (default `artifacts`) of a database. */
export const createArtifactStore = (db: Db, bucketName = 'artifacts'): ArtifactStore => {
  const bucket = new GridFSBucket(db, { bucketName });
  const files = db.collection<GridFSFile>(`${bucketName}.files`);
  const checkName = (name: string): void => {
    if (typeof name !== 'string' || name.length === 0)
      throw new TypeError(`name must be a non-empty string (got ${JSON.stringify(name)})`);
  };
  const revisions = (name: string): Promise<GridFSFile[]> =>
    files.find({ filename: name }).sort({ uploadDate: -1, _id: -1 }).toArray();
  const pruneOlder = async (name: string): Promise<void> => {
    const [, ...older] = await revisions(name);
    for (const file of older) await deleteQuietly(file._id);
  };
  const deleteQuietly = async (id: ObjectId): Promise<void> => {
    try {
      await bucket.delete(id);
    } catch (error) {
      if (!(error instanceof Error && /File not found/i.test(error.message))) throw error;
    }
  };
  const underPrefix = async (prefix: string): Promise<Pick<GridFSFile, '_id' | 'filename'>[]> => {
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
    const pattern = `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    return files.find({ filename: { $regex: pattern } }, { projection: { _id: 1, filename: 1 } }).toArray();
  };
  const download = async (id: ObjectId): Promise<Uint8Array> => {
    const chunks: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStream(id)) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  };
  const store: ArtifactStore = {
    async put(name, bytes, metadata = {}) {
      checkName(name);
      if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
      const digest = sha256(bytes);
      const [newest] = await revisions(name);
      if (newest && newest.metadata?.['sha256'] === digest && newest.length === bytes.byteLength) {
        await pruneOlder(name);
        return { id: newest._id.toHexString(), written: false };
      }
      const upload = bucket.openUploadStream(name, {
        metadata: encodeNestedArrays({ ...metadata, sha256: digest }),
      });
      await new Promise<void>((resolve, reject) => {
        upload.once('finish', () => resolve());
        upload.once('error', reject);
        upload.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      });
      // A name seen for the first time has nothing older to prune (saves a query per checkpoint).
      if (newest) await pruneOlder(name);
      return { id: upload.id.toHexString(), written: true };
    },
    async get(name) {
      return (await store.read(name))?.bytes ?? null;
    },
    async read(name) {
      checkName(name);
      for (let tries = 0; ; tries++) {
        const [newest] = await revisions(name);
        if (!newest) return null;
        try {
          const bytes = await download(newest._id);
          const metadata = decodeNestedArrays({ ...(newest.metadata ?? {}) });
          const digest = String(metadata['sha256'] ?? sha256(bytes));
          delete metadata['sha256'];
          return {
            id: newest._id.toHexString(),
            name,
            bytes,
            metadata,
            sha256: digest,
            uploadDate: newest.uploadDate,
          };
        } catch (error) {
          if (tries >= 2) throw error;
        }
      }
    },
    async exists(name) {
      checkName(name);
      return (await files.countDocuments({ filename: name }, { limit: 1 })) > 0;
    },
    async remove(name) {
      checkName(name);
      const all = await revisions(name);
      for (const file of all) await deleteQuietly(file._id);
      return all.length;
    },
    async list(prefix) {
      return [...new Set((await underPrefix(prefix)).map((d) => d.filename))].sort();
    },
    async removePrefix(prefix) {
      if (prefix.length === 0)
        throw new TypeError('prefix must not be empty (it would remove every artifact)');
      const docs = await underPrefix(prefix);
      for (const file of docs) await deleteQuietly(file._id);
      return [...new Set(docs.map((d) => d.filename))].sort();
    },
  };
  return store;
};
