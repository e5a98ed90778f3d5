import type { TrainHooks } from './types';

const MAGIC = 0x4b435746;

/**
 * Whether a run hands a checkpoint to `onCheckpoint` after `epoch`: always at the epoch it pauses at, otherwise every
 * `checkpointEvery` epochs once at least `checkpointMinMs` passed since `lastAt` (the last checkpoint, or the start).
 */
export function checkpointDue(
  hooks: Pick<TrainHooks, 'checkpointEvery' | 'checkpointMinMs'>,
  epoch: number,
  paused: boolean,
  lastAt: number,
  now: number = Date.now(),
): boolean {
  if (paused) return true;
  const every = hooks.checkpointEvery ?? 0;
  if (!(every > 0 && epoch % every === 0)) return false;
  return now - lastAt >= (hooks.checkpointMinMs ?? 0);
}

/** A named float32 array stored in a checkpoint. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Packs JSON-able state plus float32 arrays into one byte array. */
export function encodeCheckpoint(state: unknown, arrays: NamedArray[]): Uint8Array {
  const index: { name: string; shape: number[]; offset: number; length: number }[] = [];
  let floats = 0;
  for (const a of arrays) {
    index.push({ name: a.name, shape: a.shape, offset: floats, length: a.data.length });
    floats += a.data.length;
  }
  const header = new TextEncoder().encode(JSON.stringify({ v: 1, state, index }));
  const headerPadded = Math.ceil(header.length / 4) * 4;
  const out = new Uint8Array(8 + headerPadded + floats * 4);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, header.length, true);
  out.set(header, 8);
  const body = new Float32Array(out.buffer, 8 + headerPadded, floats);
  for (let i = 0; i < arrays.length; i++) body.set(arrays[i]!.data, index[i]!.offset);
  return out;
}

/** Unpacks `encodeCheckpoint`'s bytes; throws when they are not a foldwise checkpoint. */
export function decodeCheckpoint<S>(bytes: Uint8Array): { state: S; arrays: Map<string, NamedArray> } {
  if (bytes.length < 8) throw new Error(`checkpoint.bytes: too short (${bytes.length} bytes)`);
  const copy = bytes.slice();
  const dv = new DataView(copy.buffer);
  if (dv.getUint32(0, true) !== MAGIC)
    throw new Error('checkpoint.bytes: not a foldwise checkpoint (bad magic)');
  const hlen = dv.getUint32(4, true);
  const parsed = JSON.parse(new TextDecoder().decode(copy.subarray(8, 8 + hlen))) as {
    v: number;
    state: S;
    index: { name: string; shape: number[]; offset: number; length: number }[];
  };
  if (parsed.v !== 1) throw new Error(`checkpoint.bytes: unsupported version ${parsed.v}`);
  const start = 8 + Math.ceil(hlen / 4) * 4;
  const arrays = new Map<string, NamedArray>();
  for (const e of parsed.index) {
    arrays.set(e.name, {
      name: e.name,
      shape: e.shape,
      data: new Float32Array(copy.buffer, start + e.offset * 4, e.length),
    });
  }
  return { state: parsed.state, arrays };
}
