import { parentPort } from 'node:worker_threads';
import { selectBackend } from './backend';
import { threadCpuMs } from './cpu';
import { setDenseEngine } from './dense';
import { loadFamilyModules } from './families';
import type { FromWorker, ToWorker } from './pool-protocol';
import { trainPackedSettled } from './train';
import type { TrainHooks } from './types';

const port = parentPort;
if (!port) throw new Error('pool-worker: must run inside a worker thread');
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const aborts = new Map<string, AbortController>();
const acks = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
let seq = 0;

port.on('message', (m: ToWorker) => {
  if (m.type === 'init') {
    selectBackend(m.backend)
      .then((choice) => {
        loadFamilyModules(m.familyModules);
        setDenseEngine(m.denseEngine);
        post({ type: 'ready', choice });
      })
      .catch((e: unknown) =>
        post({ type: 'initError', message: e instanceof Error ? e.message : String(e) }),
      );
  } else if (m.type === 'abort') {
    aborts.get(`${m.id}:${m.k}`)?.abort(m.reason);
  } else if (m.type === 'ack') {
    const waiter = acks.get(`${m.id}:${m.seq}`);
    acks.delete(`${m.id}:${m.seq}`);
    if (m.error !== undefined) waiter?.reject(new Error(m.error));
    else waiter?.resolve();
  } else {
    void run(m);
  }
});

async function run(m: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const hooks: TrainHooks[] = m.jobs.map((_, k) => {
    const ctl = new AbortController();
    aborts.set(`${m.id}:${k}`, ctl);
    const h = m.hooks[k];
    return {
      signal: ctl.signal,
      ...(h?.checkpointEvery !== undefined ? { checkpointEvery: h.checkpointEvery } : {}),
      ...(h?.checkpointMinMs !== undefined ? { checkpointMinMs: h.checkpointMinMs } : {}),
      ...(h?.epoch ? { onEpoch: (report) => post({ type: 'epoch', id: m.id, k, report }) } : {}),
      ...(h?.checkpoint
        ? {
            onCheckpoint: (c) =>
              new Promise<void>((resolve, reject) => {
                const s = ++seq;
                acks.set(`${m.id}:${s}`, { resolve, reject });
                post({ type: 'checkpoint', id: m.id, k, seq: s, epoch: c.epoch, bytes: c.bytes }, [
                  c.bytes.buffer as ArrayBuffer,
                ]);
              }),
          }
        : {}),
    } satisfies TrainHooks;
  });
  try {
    const cpu0 = threadCpuMs();
    const outcomes = await trainPackedSettled(m.jobs, hooks);
    const cpu1 = threadCpuMs();
    // A packed run's thread time is shared by its jobs.
    const cpuMs = cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / m.jobs.length : undefined;
    const transfer: ArrayBuffer[] = [];
    const out = outcomes.map((o) => {
      if (!o.ok) return { ok: false as const, error: { name: o.error.name, message: o.error.message } };
      if (cpuMs !== undefined) o.result.cpuMs = cpuMs;
      transfer.push(o.result.valPred.buffer as ArrayBuffer);
      if (o.result.valProba) transfer.push(o.result.valProba.buffer as ArrayBuffer);
      return { ok: true as const, result: o.result };
    });
    post({ type: 'done', id: m.id, outcomes: out }, transfer);
  } catch (e) {
    const error = {
      name: e instanceof Error ? e.name : 'Error',
      message: e instanceof Error ? e.message : String(e),
    };
    post({ type: 'done', id: m.id, outcomes: m.jobs.map(() => ({ ok: false as const, error })) });
  } finally {
    m.jobs.forEach((_, k) => aborts.delete(`${m.id}:${k}`));
  }
}
