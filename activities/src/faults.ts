import { appendFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Marker files a fault test drops into `FOLDWISE_FAULT_DIR`; each is consumed once (renamed) by the first process that hits it. */
export const FaultMarker = {
  /** Kill this worker with SIGKILL right after a fold document is written, before the activity completes. */
  DieAfterWrite: 'die-after-write',
} as const;
/** A fault marker name. */
export type FaultMarker = (typeof FaultMarker)[keyof typeof FaultMarker];

/** The places in `trainFold` where faults can be observed or injected. */
export type FaultPoint = 'fold-start' | 'fold-epoch' | 'fold-checkpoint' | 'fold-resume' | 'fold-written';

/** One line of `events.jsonl` in the fault directory. */
export interface FaultEvent {
  point: FaultPoint;
  foldId: string;
  attempt: number;
  pid: number;
  t: number;
  epoch?: number;
  inputHash?: string;
  written?: boolean;
}

/** Name of the log every fault point appends to. */
export const FAULT_EVENTS_FILE = 'events.jsonl';

/** Renames the marker if it exists; true for the one caller that got it. */
function take(dir: string, marker: FaultMarker): boolean {
  try {
    renameSync(join(dir, marker), join(dir, `${marker}.taken-${process.pid}`));
    return true;
  } catch {
    return false;
  }
}

/** Records a fault point and triggers any marker armed for it; a no-op unless `FOLDWISE_FAULT_DIR` is set. */
export function faultPoint(
  point: FaultPoint,
  info: { foldId: string; attempt: number; epoch?: number; input?: unknown; written?: boolean },
): void {
  const dir = process.env['FOLDWISE_FAULT_DIR'];
  if (!dir) return;
  const event: FaultEvent = {
    point,
    foldId: info.foldId,
    attempt: info.attempt,
    pid: process.pid,
    t: Date.now(),
    ...(info.epoch !== undefined ? { epoch: info.epoch } : {}),
    ...(info.input !== undefined
      ? { inputHash: createHash('sha256').update(JSON.stringify(info.input)).digest('hex').slice(0, 16) }
      : {}),
    ...(info.written !== undefined ? { written: info.written } : {}),
  };
  appendFileSync(join(dir, FAULT_EVENTS_FILE), `${JSON.stringify(event)}\n`);
  if (point === 'fold-written' && take(dir, FaultMarker.DieAfterWrite)) process.kill(process.pid, 'SIGKILL');
}
