import { readFileSync } from 'node:fs';

/**
 * CPU time the calling thread has used, in ms, from Linux's /proc/thread-self/schedstat (nanoseconds on the CPU);
 * undefined where that file cannot be read. Works on the main thread and inside worker threads alike.
 */
export function threadCpuMs(): number | undefined {
  try {
    const ns = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1e6 : undefined;
  } catch {
    return undefined;
  }
}
