import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { stackEnv } from './stack';

const root = resolve(__dirname, '..', '..');

/** The `foldwise` command's entry point (it runs the TypeScript CLI under tsx). */
export const foldwiseBin = join(root, 'services', 'cli', 'bin', 'foldwise.js');

/** How one `foldwise` run ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `foldwise <args>` from the repository root against the local stack (the test's stack environment, plus
 * `env`), and resolves when it exits; rejects if it runs longer than `timeoutMs` (it is killed then).
 */
export function foldwise(
  args: string[],
  timeoutMs = 900_000,
  env: Record<string, string> = {},
): Promise<CliRun> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [foldwiseBin, ...args], {
      cwd: root,
      env: { ...process.env, ...stackEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      void cancelLeftover(args, env).then((cancelled) =>
        fail(
          new Error(
            `foldwise ${args.join(' ')} did not finish within ${timeoutMs / 1000}s${cancelled}\nstderr:\n${stderr.slice(-3000)}`,
          ),
        ),
      );
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/**
 * After a `submit --search-id ID` ran past its time, cancels search ID, so that its folds (and a refit) do not go on
 * on the shared task queue and take the slots of the workers that later test files start; says how that went.
 */
async function cancelLeftover(args: string[], env: Record<string, string>): Promise<string> {
  const at = args.indexOf('--search-id');
  if (args[0] !== 'submit' || at < 0 || !args[at + 1]) return '';
  const id = args[at + 1]!;
  try {
    const r = await foldwiseInProcess(['cancel', id], env);
    return r.code === 0 ? ` (search ${id} cancelled)` : ` (cancelling ${id} failed: ${r.stderr.trim()})`;
  } catch (e) {
    return ` (cancelling ${id} failed: ${e instanceof Error ? e.message : String(e)})`;
  }
}

/** A one-line account of a run for assertion messages. */
export const described = (args: string[], r: CliRun): string =>
  `foldwise ${args.join(' ')}: exit ${r.code}\nstdout:\n${r.stdout.slice(-2000)}\nstderr:\n${r.stderr.slice(-2000)}`;

/**
 * Runs the CLI's `run(args)` inside the test process (same program, same exit code as `main.ts` exits with, without
 * the seconds a tsx process start costs), against the test's stack; for the many read-only and error-path checks.
 */
export async function foldwiseInProcess(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  // eslint-disable-next-line @nx/enforce-module-boundaries -- the CLI is an application, tested through its entry point
  const { run } = await import('../../services/cli/src/program');
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _enc, done) {
        write(chunk.toString());
        done();
      },
    });
  const code = await run(args, {
    out: sink((s) => (stdout += s)),
    err: sink((s) => (stderr += s)),
    env: { ...process.env, ...stackEnv(), ...env },
  });
  return { code, stdout, stderr };
}
