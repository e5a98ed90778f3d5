/**
 * Fault injection for foldwise's fault tests, and only for them. A worker loads this module solely when the test-only
 * variable `FOLDWISE_FAULT_MODULE` names it (test/support/faults.ts sets it with `FOLDWISE_FAULT_DIR`); the worker
 * refuses the variable when `NODE_ENV=production`, and nothing in the product imports this file.
 *
 * Every fault point appends one JSON line to `events.jsonl` in `FOLDWISE_FAULT_DIR`; marker files a test drops there
 * (see `FaultMarker`) are consumed once, by the first process that hits them.
 */
import { appendFileSync, renameSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FaultPoint, FaultPort } from '@foldwise/activities';

/** Marker files a fault test drops into `FOLDWISE_FAULT_DIR`; each is consumed once (renamed) by the first process that hits it. */
export const FaultMarker = {
  /** Kill this worker with SIGKILL right after a fold document is written, before the activity completes. */
  DieAfterWrite: 'die-after-write',
} as const;
/** A fault marker name. */
export type FaultMarker = (typeof FaultMarker)[keyof typeof FaultMarker];

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

/** The fault port a worker installs from `FOLDWISE_FAULT_MODULE`: logs every point to `dir` and obeys its markers. */
export function createFaultPort(dir: string = process.env['FOLDWISE_FAULT_DIR'] ?? ''): FaultPort {
  if (!dir) throw new Error('FOLDWISE_FAULT_DIR: the fault module needs the fault directory');
  return {
    point(point, info) {
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
      if (point === 'fold-written' && take(dir, FaultMarker.DieAfterWrite))
        process.kill(process.pid, 'SIGKILL');
    },
  };
}
