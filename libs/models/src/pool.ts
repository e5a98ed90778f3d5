import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BackendChoice, BackendPref } from './backend';
import type { DenseEngineName } from './dense';
import type { FromWorker, ToWorker } from './pool-protocol';
import type { TrainHooks, TrainJob, TrainResult } from './types';

/** Options of `createTrainerPool`: threads, backend preference, user family modules, and whether inputs are transferred. */
export interface TrainerPoolOptions {
  slots: number;
  backend: BackendPref;
  familyModules?: string[];
  /** Which engine trains dense families on the threads (default `auto`). */
  denseEngine?: DenseEngineName;
  /** Transfer (detach) the jobs' ArrayBuffers to the thread instead of copying them. */
  transferInputs?: boolean;
}

/** Trainer threads: each run trains on one thread, leaving the main event loop free. */
export interface TrainerPool {
  run(job: TrainJob, hooks?: TrainHooks): Promise<TrainResult>;
  /** Trains jobs packed on one thread; each job's promise settles on its own. */
  runPacked(jobs: TrainJob[], hooks?: TrainHooks[]): Promise<TrainResult>[];
  close(): Promise<void>;
  /** The backend the threads chose (resolved once every thread is ready). */
  backend: Promise<BackendChoice>;
}

interface Task {
  jobs: TrainJob[];
  hooks: TrainHooks[];
  settle: { resolve: (r: TrainResult) => void; reject: (e: Error) => void }[];
  /** When the task joined the queue (Date.now()). */
  queuedAt: number;
}

interface Slot {
  worker: Worker;
  ready: Promise<BackendChoice>;
  busy: { id: number; task: Task; cleanup: () => void } | undefined;
}

function jobBuffers(jobs: TrainJob[]): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const j of jobs) {
    // Shared memory (a worker's cached fold matrices) is shared with the thread, never transferred.
    for (const a of [j.xTrain, j.yTrain, j.xVal, j.yVal, j.resumeFrom?.bytes])
      if (a && a.buffer instanceof ArrayBuffer) set.add(a.buffer);
  }
  return [...set];
}

function errorFrom(e: { name: string; message: string }): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/** Starts `slots` worker threads that train jobs off the main event loop (from sources through tsx, else the built `pool-worker.js`). */
export function createTrainerPool(opts: TrainerPoolOptions): TrainerPool {
  if (!Number.isInteger(opts.slots) || opts.slots < 1)
    throw new Error(`slots: expected a positive integer (got ${opts.slots})`);
  const queue: Task[] = [];
  let nextId = 1;
  let closed = false;
  const entry = path.join(__dirname, __filename.endsWith('.ts') ? 'pool-worker.cjs' : 'pool-worker.js');
  const familyModules = (opts.familyModules ?? []).map((p) => path.resolve(p));

  const slots: Slot[] = Array.from({ length: opts.slots }, () => {
    const worker = new Worker(entry);
    const ready = new Promise<BackendChoice>((resolve, reject) => {
      const onMsg = (m: FromWorker) => {
        if (m.type === 'ready') resolve(m.choice);
        else if (m.type === 'initError') reject(new Error(`trainer thread: ${m.message}`));
        else return;
        worker.off('message', onMsg);
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
    });
    ready.catch(() => undefined);
    worker.postMessage({
      type: 'init',
      backend: opts.backend,
      familyModules,
      denseEngine: opts.denseEngine ?? 'auto',
    } satisfies ToWorker);
    return { worker, ready, busy: undefined };
  });

  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const task = queue.shift()!;
      const queuedMs = Date.now() - task.queuedAt;
      const id = nextId++;
      const onMsg = (m: FromWorker) => {
        if (!('id' in m) || m.id !== id) return;
        if (m.type === 'epoch') task.hooks[m.k]?.onEpoch?.(m.report);
        else if (m.type === 'checkpoint') {
          Promise.resolve(task.hooks[m.k]?.onCheckpoint?.({ epoch: m.epoch, bytes: m.bytes }))
            .then(() => slot.worker.postMessage({ type: 'ack', id, seq: m.seq } satisfies ToWorker))
            .catch((e: unknown) =>
              slot.worker.postMessage({
                type: 'ack',
                id,
                seq: m.seq,
                error: e instanceof Error ? e.message : String(e),
              } satisfies ToWorker),
            );
        } else if (m.type === 'done') {
          cleanup();
          m.outcomes.forEach((o, k) =>
            o.ok
              ? task.settle[k]!.resolve({ ...o.result, queuedMs })
              : task.settle[k]!.reject(errorFrom(o.error)),
          );
          dispatch();
        }
      };
      const onError = (e: Error) => {
        cleanup();
        task.settle.forEach((s) => s.reject(e));
      };
      const aborters = task.hooks.map((h, k) => {
        const f = () =>
          slot.worker.postMessage({
            type: 'abort',
            id,
            k,
            reason: String(h.signal?.reason ?? ''),
          } satisfies ToWorker);
        h.signal?.addEventListener('abort', f, { once: true });
        return () => h.signal?.removeEventListener('abort', f);
      });
      const cleanup = () => {
        slot.worker.off('message', onMsg);
        slot.worker.off('error', onError);
        aborters.forEach((f) => f());
        slot.busy = undefined;
      };
      slot.busy = { id, task, cleanup };
      slot.worker.on('message', onMsg);
      slot.worker.once('error', onError);
      const msg: ToWorker = {
        type: 'run',
        id,
        jobs: task.jobs,
        hooks: task.hooks.map((h) => ({
          epoch: !!h.onEpoch,
          checkpoint: !!h.onCheckpoint,
          ...(h.checkpointEvery !== undefined ? { checkpointEvery: h.checkpointEvery } : {}),
          ...(h.checkpointMinMs !== undefined ? { checkpointMinMs: h.checkpointMinMs } : {}),
        })),
      };
      slot.worker.postMessage(msg, opts.transferInputs ? jobBuffers(task.jobs) : []);
      task.hooks.forEach((h, k) => {
        if (h.signal?.aborted) slot.worker.postMessage({ type: 'abort', id, k } satisfies ToWorker);
      });
    }
  };

  const runPacked = (jobs: TrainJob[], hooks: TrainHooks[] = []): Promise<TrainResult>[] => {
    if (closed) return jobs.map(() => Promise.reject(new Error('pool: closed')));
    const settle: Task['settle'] = [];
    const promises = jobs.map(
      () => new Promise<TrainResult>((resolve, reject) => settle.push({ resolve, reject })),
    );
    queue.push({ jobs, hooks: jobs.map((_, k) => hooks[k] ?? {}), settle, queuedAt: Date.now() });
    void Promise.all(slots.map((s) => s.ready)).then(dispatch, (e: unknown) => {
      while (queue.length > 0)
        queue.shift()!.settle.forEach((s) => s.reject(e instanceof Error ? e : new Error(String(e))));
    });
    return promises;
  };

  return {
    run: (job, hooks = {}) => runPacked([job], [hooks])[0]!,
    runPacked,
    backend: Promise.all(slots.map((s) => s.ready)).then((c) => c[0]!),
    close: async () => {
      closed = true;
      const pending = queue.splice(0);
      pending.forEach((t) =>
        t.settle.forEach((s) => s.reject(new Error('pool: closed before the job started'))),
      );
      for (const s of slots)
        s.busy?.task.settle.forEach((x) => x.reject(new Error('pool: closed while training')));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
