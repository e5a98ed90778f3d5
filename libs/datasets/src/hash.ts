import { createHash, type Hash } from 'node:crypto';
import type { Dataset } from './types';

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function updateLittleEndian(h: Hash, a: Float32Array | Float64Array): void {
  if (littleEndian) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return;
  }
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  const width = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < a.length; i++) {
    if (width === 4) view.setFloat32(i * 4, a[i] as number, true);
    else view.setFloat64(i * 8, a[i] as number, true);
  }
  h.update(out);
}

/** The parts of a dataset that define its identity (everything but `name` and `hash`). */
export type DatasetContent = Omit<Dataset, 'name' | 'hash'>;

/** sha256 hex of a dataset's canonical content: a JSON header (task, shape, schema, labels) then X and y as little-endian bytes, then the held-out part. */
export function datasetHash(ds: DatasetContent): string {
  const h = createHash('sha256');
  const header = {
    v: 1,
    task: ds.task,
    nSamples: ds.nSamples,
    nFeatures: ds.nFeatures,
    featureNames: ds.featureNames,
    featureKinds: ds.featureKinds,
    schema: ds.schema,
    classes: ds.classes ?? null,
    imageShape: ds.imageShape ?? null,
    imageMax: ds.imageMax ?? null,
    heldOut: ds.heldOut ? ds.heldOut.nSamples : null,
  };
  h.update(JSON.stringify(header));
  h.update('\0');
  updateLittleEndian(h, ds.X);
  updateLittleEndian(h, ds.y);
  if (ds.heldOut) {
    updateLittleEndian(h, ds.heldOut.X);
    updateLittleEndian(h, ds.heldOut.y);
  }
  if (ds.groups) updateLittleEndian(h, Float64Array.from(ds.groups));
  return h.digest('hex');
}

/** sha256 hex of raw bytes. */
export function sha256Hex(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('hex');
}
