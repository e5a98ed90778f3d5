import type { BackendChoice, BackendPref } from './backend';
import type { DenseEngineName } from './dense';
import type { EpochReport, TrainJob, TrainResult } from './types';

/** Messages the main thread sends to a trainer thread. */
export type ToWorker =
  | { type: 'init'; backend: BackendPref; familyModules: string[]; denseEngine: DenseEngineName }
  | {
      type: 'run';
      id: number;
      jobs: TrainJob[];
      hooks: { epoch: boolean; checkpoint: boolean; checkpointEvery?: number; checkpointMinMs?: number }[];
    }
  | { type: 'abort'; id: number; k: number; reason?: string }
  | { type: 'ack'; id: number; seq: number; error?: string };

/** Messages a trainer thread sends back. */
export type FromWorker =
  | { type: 'ready'; choice: BackendChoice }
  | { type: 'initError'; message: string }
  | { type: 'epoch'; id: number; k: number; report: EpochReport }
  | { type: 'checkpoint'; id: number; k: number; seq: number; epoch: number; bytes: Uint8Array }
  | {
      type: 'done';
      id: number;
      outcomes: (
        { ok: true; result: TrainResult } | { ok: false; error: { name: string; message: string } }
      )[];
    };
