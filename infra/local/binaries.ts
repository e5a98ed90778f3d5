import { type SpawnSyncOptionsWithStringEncoding, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type GoTool, type GoToolName, goModules, goTools } from './config';
import { withLock } from './processes';

/** Paths of the servers that the stack runs. */
export interface Binaries {
  temporal: string;
  ferretdb: string;
  natsServer: string;
}

/** A binary could not be built or found. */
export class BinaryError extends Error {
  override name = 'BinaryError';
}

const quiet: SpawnSyncOptionsWithStringEncoding = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] };

function findGo(): string | undefined {
  if (spawnSync('go', ['version'], quiet).status === 0) return 'go';
  return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

function goCommand(): string {
  const go = findGo();
  if (!go)
    throw new BinaryError(
      'go: the Go toolchain (>= 1.25) is needed to build temporal and ferretdb, and `go` is not on PATH',
    );
  return go;
}

function temporalIsPinned(bin: string, go: string | undefined): boolean {
  if (go === undefined) return true;
  const r = spawnSync(go, ['version', '-m', bin], quiet);
  const { module, version } = goModules.temporal;
  return (
    r.status === 0 && new RegExp(`\\bmod\\s+${module.replace(/\./g, '\\.')}\\s+${version}\\b`).test(r.stdout)
  );
}

function ferretIsPinned(bin: string): boolean {
  const r = spawnSync(bin, ['--version'], quiet);
  return r.status === 0 && r.stdout.includes(`version: ${goModules.ferretdb.version}`);
}

function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; what: string }): void {
  const r = spawnSync(cmd, args, { ...quiet, cwd: opts.cwd, env: opts.env });
  if (r.status !== 0) {
    throw new BinaryError(
      `${opts.what}: \`${cmd} ${args.join(' ')}\` failed (exit ${r.status})\n${r.stderr.slice(-4000)}`,
    );
  }
}

function buildTemporal(binDir: string, go: string): void {
  const { module, pkg, version } = goModules.temporal;
  run(go, ['install', `${module}/${pkg}@${version}`], {
    cwd: binDir,
    env: { ...process.env, GOBIN: binDir },
    what: 'temporal',
  });
}

function buildFerret(binDir: string, srcRoot: string, go: string): void {
  const { module, pkg, version } = goModules.ferretdb;
  const env = { ...process.env, GOFLAGS: '-buildvcs=false' };
  const info = JSON.parse(
    execFileSync(go, ['mod', 'download', '-json', `${module}@${version}`], { ...quiet, cwd: binDir, env }),
  ) as { Dir?: string; Error?: string };
  if (!info.Dir)
    throw new BinaryError(`ferretdb: go mod download gave no source directory (${info.Error ?? 'no error'})`);
  const src = join(srcRoot, `ferretdb-${version}`);
  rmSync(src, { recursive: true, force: true });
  cpSync(info.Dir, src, { recursive: true });
  chmodSync(src, 0o755);
  execFileSync('chmod', ['-R', 'u+w', src]);
  writeFileSync(join(src, 'build', 'version', 'version.txt'), `${version}\n`);
  run(go, ['build', '-trimpath', '-o', join(binDir, 'ferretdb'), `./${pkg}`], {
    cwd: src,
    env,
    what: 'ferretdb',
  });
  rmSync(src, { recursive: true, force: true });
}

function natsServerPath(): string | undefined {
  for (const p of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
    if (existsSync(p)) return p;
  }
  const r = spawnSync('sh', ['-c', 'command -v nats-server'], quiet);
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** Finds nats-server (Debian package nats-server), or throws saying how to install it. */
export function findNatsServer(): string {
  const p = natsServerPath();
  if (!p) throw new BinaryError('nats-server: not found; install the Debian package `nats-server`');
  return p;
}

/**
 * Builds temporal and ferretdb into `<root>/.cache/bin` unless the pinned versions are already there.
 * FerretDB is built from its module source with build/version/version.txt filled in, because a plain
 * `go install …/ferretdb@v1.24.2` produces a binary that panics at start for want of that file.
 */
export function ensureBinaries(
  root: string,
  log: (line: string) => void = () => {},
): Omit<Binaries, 'natsServer'> {
  const binDir = join(root, '.cache', 'bin');
  mkdirSync(binDir, { recursive: true });
  const temporal = join(binDir, 'temporal');
  const ferretdb = join(binDir, 'ferretdb');
  const go = findGo();
  const needGo = (): string => go ?? goCommand();
  if (!existsSync(temporal) || !temporalIsPinned(temporal, go)) {
    log(
      `building temporal ${goModules.temporal.version} from its Go module into ${binDir} (a few minutes on a cold cache)`,
    );
    buildTemporal(binDir, needGo());
    if (!temporalIsPinned(temporal, needGo()))
      throw new BinaryError(`temporal: ${temporal} is not ${goModules.temporal.version} after the build`);
  }
  if (!existsSync(ferretdb) || !ferretIsPinned(ferretdb)) {
    log(
      `building ferretdb ${goModules.ferretdb.version} from its Go module into ${binDir} (a few minutes on a cold cache)`,
    );
    buildFerret(binDir, join(root, '.cache', 'src'), needGo());
    if (!ferretIsPinned(ferretdb))
      throw new BinaryError(
        `ferretdb: ${ferretdb} does not report ${goModules.ferretdb.version} after the build`,
      );
  }
  return { temporal, ferretdb };
}

/** Whether `bin` was built by `go install` from exactly `tool` (its build info names the package and version). */
function toolIsPinned(bin: string, tool: GoTool, go: string): boolean {
  const r = spawnSync(go, ['version', '-m', bin], quiet);
  if (r.status !== 0) return false;
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return (
    new RegExp(`^\\s*path\\s+${esc(`${tool.module}/${tool.pkg}`)}\\s*$`, 'm').test(r.stdout) &&
    new RegExp(`^\\s*mod\\s+${esc(tool.module)}\\s+${esc(tool.version)}\\b`, 'm').test(r.stdout)
  );
}

/** Time each tool took to build in the last {@link ensureGoTools} call (0: it was cached). */
export type ToolBuildTimes = Partial<Record<GoToolName, number>>;

/**
 * Builds each named tool of {@link goTools} into `<root>/.cache/bin/<name>` with `go install` unless the pinned
 * version is there already (checked from the binary's Go build info), and returns their paths. One process builds at a
 * time (a lock file under `.cache/bin`), so CI's build step and a test that needs the same tool never race.
 */
export async function ensureGoTools<N extends GoToolName>(
  root: string,
  names: readonly N[],
  log: (line: string) => void = () => {},
  times: ToolBuildTimes = {},
): Promise<Record<N, string>> {
  const binDir = join(root, '.cache', 'bin');
  mkdirSync(binDir, { recursive: true });
  const go = goCommand();
  const paths = {} as Record<N, string>;
  await withLock(join(binDir, '.tools.lock'), async () => {
    for (const name of names) {
      const tool: GoTool = goTools[name];
      const bin = join(binDir, name);
      paths[name] = bin;
      if (existsSync(bin) && toolIsPinned(bin, tool, go)) {
        times[name] = 0;
        continue;
      }
      const started = Date.now();
      log(`building ${name} (${tool.module}/${tool.pkg}@${tool.version}) into ${binDir}`);
      const stage = join(root, '.cache', 'go-install', `${name}-${process.pid}`);
      rmSync(stage, { recursive: true, force: true });
      mkdirSync(stage, { recursive: true });
      try {
        run(go, ['install', `${tool.module}/${tool.pkg}@${tool.version}`], {
          cwd: stage,
          env: { ...process.env, GOBIN: stage, GOFLAGS: '-buildvcs=false' },
          what: name,
        });
        renameSync(join(stage, basename(tool.pkg)), bin);
      } finally {
        rmSync(stage, { recursive: true, force: true });
      }
      if (!toolIsPinned(bin, tool, go))
        throw new BinaryError(`${name}: ${bin} is not ${tool.module}@${tool.version} after the build`);
      times[name] = (Date.now() - started) / 1000;
    }
  });
  return paths;
}
