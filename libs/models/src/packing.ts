import { architectureKey } from './job';
import type { TrainerPool } from './pool';
import { trainPackedSettled } from './train';
import type { TrainHooks, TrainJob, TrainResult } from './types';

/** Options of `createPackingTrainer`: how long to wait for companions, how many to pack, and where to train. */
export interface PackingTrainerOptions {
  windowMs: number;
  maxPack: number;
  /** Train packs on this pool's threads; without one, packs train on the calling thread. */
  pool?: TrainerPool;
  /** Called when a pack starts, with the number of jobs in it and their architecture key. */
  onPack?: (size: number, key: string) => void;
}

/** Accepts jobs one by one and trains those with the same architecture that arrive together as one pack. */
export interface PackingTrainer {
  submit(job: TrainJob, hooks?: TrainHooks): Promise<TrainResult>;
  /** Starts every waiting group now. */
  flush(): void;
}

interface Waiting {
  job: TrainJob;
  hooks: TrainHooks;
  resolve: (r: TrainResult) => void;
  reject: (e: Error) => void;
}

/** Groups jobs arriving within `windowMs` by `architectureKey(job)` (at most `maxPack` per pack) and trains each group packed. */
export function createPackingTrainer(opts: PackingTrainerOptions): PackingTrainer {
  if (!(opts.windowMs >= 0)) throw new Error(`windowMs: expected a number ≥ 0 (got ${opts.windowMs})`);
  if (!Number.isInteger(opts.maxPack) || opts.maxPack < 1)
    throw new Error(`maxPack: expected a positive integer (got ${opts.maxPack})`);
  const groups = new Map<string, { items: Waiting[]; timer: ReturnType<typeof setTimeout> }>();

  const launch = (key: string): void => {
    const g = groups.get(key);
    if (!g) return;
    groups.delete(key);
    clearTimeout(g.timer);
    const jobs = g.items.map((w) => w.job);
    const hooks = g.items.map((w) => w.hooks);
    opts.onPack?.(jobs.length, key);
    if (opts.pool) {
      opts.pool.runPacked(jobs, hooks).forEach((p, i) => p.then(g.items[i]!.resolve, g.items[i]!.reject));
      return;
    }
    trainPackedSettled(jobs, hooks).then(
      (outcomes) =>
        outcomes.forEach((o, i) => (o.ok ? g.items[i]!.resolve(o.result) : g.items[i]!.reject(o.error))),
      (e: unknown) => g.items.forEach((w) => w.reject(e instanceof Error ? e : new Error(String(e)))),
    );
  };

  return {
    submit(job, hooks = {}) {
      return new Promise<TrainResult>((resolve, reject) => {
        const key = architectureKey(job);
        let g = groups.get(key);
        if (!g) {
          g = { items: [], timer: setTimeout(() => launch(key), opts.windowMs) };
          groups.set(key, g);
        }
        g.items.push({ job, hooks, resolve, reject });
        if (g.items.length >= opts.maxPack) launch(key);
      });
    },
    flush() {
      for (const key of [...groups.keys()]) launch(key);
    },
  };
}
