import type { EpochProgress, TrainerJob, TrainerPort, TrainerResult } from '@foldwise/activities';

/** A benchmark trainer mode: `noop` returns at once, `sleep` waits `ms` per fold. */
export type BenchTrainerMode = { kind: 'noop' } | { kind: 'sleep'; ms: number };

/** Parses `FOLDWISE_BENCH_TRAINER` (`noop` or `sleep:<ms>`); undefined for anything else. */
export function parseBenchTrainer(value: string): BenchTrainerMode | undefined {
  if (value === 'noop') return { kind: 'noop' };
  const m = /^sleep:(\d{1,7})$/.exec(value);
  return m ? { kind: 'sleep', ms: Number(m[1]) } : undefined;
}

function abortError(): Error {
  const e = new Error('bench fold aborted');
  e.name = 'AbortError';
  return e;
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((ok, fail) => {
    const onAbort = () => {
      clearTimeout(timer);
      fail(abortError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      ok();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function constantResult(job: TrainerJob): { result: TrainerResult; progress: EpochProgress } {
  let value = 0;
  if (job.task === 'classification') {
    const counts = new Map<number, number>();
    for (const y of job.yTrain) counts.set(y, (counts.get(y) ?? 0) + 1);
    let best = -1;
    for (const [label, n] of counts)
      if (n > best || (n === best && label < value)) [value, best] = [label, n];
  } else if (job.yTrain.length > 0) {
    value = job.yTrain.reduce((a, b) => a + b, 0) / job.yTrain.length;
  }
  const valPred = new Float64Array(job.yVal.length).fill(value);
  const hits =
    job.task === 'classification'
      ? job.yVal.filter((y) => y === value).length / Math.max(1, job.yVal.length)
      : 0;
  const progress: EpochProgress = { epoch: 1, trainLoss: 0, valLoss: 0, valScore: hits };
  return {
    progress,
    result: {
      epochsTrained: 1,
      stoppedEarly: false,
      curve: [progress],
      valPred,
      backend: 'bench',
      samplesTrained: job.yTrain.length,
    },
  };
}

/**
 * A trainer for engine benchmarks: waits (not at all, or a fixed time) honouring the abort signal, reports one
 * epoch and predicts a constant (the majority class of yTrain, or its mean for regression), so everything
 * around training — Temporal, MongoDB writes, NATS events, metrics — is measured on its own.
 */
export function createBenchTrainer(mode: BenchTrainerMode): TrainerPort {
  const ms = mode.kind === 'sleep' ? mode.ms : 0;
  const run = async (
    job: TrainerJob,
    hooks: { signal: AbortSignal; onEpoch(e: EpochProgress): void },
  ): Promise<TrainerResult> => {
    await wait(ms, hooks.signal);
    const { result, progress } = constantResult(job);
    hooks.onEpoch(progress);
    return result;
  };
  return {
    backend: 'bench',
    train: (job, hooks) => run(job, hooks),
    refit: async (job, hooks) => ({ ...(await run(job, hooks)), artifact: {} }),
  };
}
