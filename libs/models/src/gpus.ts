import { execFileSync } from 'node:child_process';

/** Runs `nvidia-smi -L` (or a stand-in, for tests) and returns its output; throws when it cannot run. */
export type NvidiaSmi = () => string;

const nvidiaSmi: NvidiaSmi = () =>
  execFileSync('nvidia-smi', ['-L'], {
    encoding: 'utf8',
    timeout: 5_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });

/**
 * The CUDA device ids this process may use: `CUDA_VISIBLE_DEVICES` when set (empty or `-1` hides every GPU), else one
 * per `GPU n:` line of `nvidia-smi -L`, else none. A GPU pool runs one worker process, with one training slot, per id.
 */
export function visibleGpus(env: NodeJS.ProcessEnv = process.env, smi: NvidiaSmi = nvidiaSmi): string[] {
  const set = env['CUDA_VISIBLE_DEVICES'];
  if (set !== undefined) {
    const ids = set
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const hidden = ids.findIndex((id) => id === '-1');
    return hidden >= 0 ? ids.slice(0, hidden) : ids;
  }
  try {
    return smi()
      .split('\n')
      .map((l) => /^GPU (\d+):/.exec(l.trim())?.[1])
      .filter((id): id is string => id !== undefined);
  } catch {
    return [];
  }
}
