import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the stack remembers about a process it started: enough to find, check and restart it. */
export interface LaunchRecord {
  pid: number;
  bin: string;
  args: string[];
  port: number;
  log: string;
  startedAt: string;
}

/** Reads a launch record, or undefined when there is none. */
export function readLaunch(file: string): LaunchRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LaunchRecord;
  } catch {
    return undefined;
  }
}

/** Writes a launch record and a plain `<name>.pid` beside it. */
export function writeLaunch(file: string, rec: LaunchRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(rec, null, 2)}\n`);
  writeFileSync(file.replace(/\.json$/, '.pid'), `${rec.pid}\n`);
}

/** Removes a launch record and its pid file. */
export function clearLaunch(file: string): void {
  rmSync(file, { force: true });
  rmSync(file.replace(/\.json$/, '.pid'), { force: true });
}

/** True when `pid` is a live process running `bin` (guards against a reused pid). */
export function isRunning(pid: number, bin: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv[0] === bin;
  } catch {
    return false;
  }
}

/** Starts `bin args` detached in its own process group, output appended to `log`; returns its pid. */
export function launch(
  bin: string,
  args: string[],
  log: string,
  cwd: string,
): { pid: number; exited: () => string | undefined } {
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, 'a');
  let exit: string | undefined;
  try {
    const child = spawn(bin, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
    child.on('exit', (code, signal) => {
      exit = signal ? `signal ${signal}` : `exit code ${code}`;
    });
    child.on('error', (err) => {
      exit = err.message;
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`${bin}: could not be started`);
    return { pid: child.pid, exited: () => exit };
  } finally {
    closeSync(fd);
  }
}

/** Sends SIGTERM to a process group, then SIGKILL when it has not gone after `graceMs`. */
export async function terminate(pid: number, bin: string, graceMs = 15000): Promise<void> {
  const signal = (s: NodeJS.Signals): void => {
    try {
      process.kill(-pid, s);
    } catch {
      try {
        process.kill(pid, s);
      } catch {
        /* already gone */
      }
    }
  };
  if (!isRunning(pid, bin)) return;
  signal('SIGTERM');
  for (let waited = 0; waited < graceMs; waited += 100) {
    if (!isRunning(pid, bin)) return;
    await sleep(100);
  }
  signal('SIGKILL');
  for (let waited = 0; waited < 5000; waited += 100) {
    if (!isRunning(pid, bin)) return;
    await sleep(100);
  }
  throw new Error(`pid ${pid} (${bin}) survived SIGKILL`);
}

/** True when nothing listens on 127.0.0.1:port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** The last `lines` lines of a log file, for error messages. */
export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs `fn` holding an exclusive lock file; waits for a live holder, takes over from a dead one. */
export async function withLock<T>(file: string, fn: () => Promise<T>, waitMs = 20 * 60_000): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  for (let waited = 0; ; waited += 250) {
    try {
      const fd = openSync(file, 'wx');
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const raw = readFileSync(file, 'utf8').trim();
      const holder = Number(raw);
      let alive = raw === '';
      if (Number.isInteger(holder) && holder > 0) {
        try {
          process.kill(holder, 0);
          alive = true;
        } catch {
          alive = false;
        }
      }
      if (!alive) {
        rmSync(file, { force: true });
        continue;
      }
      if (waited >= waitMs) throw new Error(`${file}: held by pid ${holder} for over ${waitMs / 1000}s`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
