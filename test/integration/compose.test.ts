/**
 * What can be checked of docker-compose.yml and the worker image without a container engine: the file is valid
 * (Debian's docker-compose renders it), every image is pinned, every long-running service is health-checked, the
 * workers run as an unprivileged user with a read-only root and every path they write is owned by that user or a
 * tmpfs, and the GPU pool comes up only in its profile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  restart?: string;
  profiles?: string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition: string }> | string[];
  environment?: Record<string, string | null>;
  volumes?: Array<string | { target: string; type?: string }>;
  tmpfs?: string[] | string;
  read_only?: boolean;
  user?: string;
  ports?: Array<string | { host_ip?: string; published?: number | string }>;
  command?: string[] | string;
}

/** `.env.example`'s assignments, the values an operator starts from. */
const exampleEnv = (): Record<string, string> =>
  Object.fromEntries(
    readFileSync(join(root, '.env.example'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

/** The compose file as docker-compose resolves it (anchors merged, variables substituted), with these profiles. */
function rendered(profiles: string[] = []): Record<string, Service> {
  const args = ['-f', 'docker-compose.yml', ...profiles.flatMap((p) => ['--profile', p]), 'config'];
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...exampleEnv() };
  const r = spawnSync('docker-compose', args, { cwd: root, env, encoding: 'utf8' });
  assert.equal(r.status, 0, `docker-compose ${args.join(' ')}:\n${r.stderr}`);
  return (parse(r.stdout) as { services: Record<string, Service> }).services;
}

const dependsOn = (s: Service): Record<string, string> =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, v.condition]));

/** One-shot jobs: services another one waits on to complete. */
const jobsOf = (services: Record<string, Service>): Set<string> =>
  new Set(
    Object.values(services).flatMap((s) =>
      Object.entries(dependsOn(s))
        .filter(([, c]) => c === 'service_completed_successfully')
        .map(([n]) => n),
    ),
  );

interface Stage {
  name: string;
  from: string;
  user: string;
  env: Record<string, string>;
  /** Paths created or chowned for a named user by this stage's RUN lines: path → user. */
  owned: Map<string, string>;
  cmd: string;
}

/** The stages of a Dockerfile: base, final USER, ENV, the paths RUN hands to a user, CMD. */
export function dockerStages(text: string): Map<string, Stage> {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages = new Map<string, Stage>();
  let cur: Stage | undefined;
  const expand = (s: string) => s.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? `\${${k}}`);
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    switch (op.toUpperCase()) {
      case 'ARG': {
        const [k, v] = arg.split('=');
        if (k && v !== undefined && !cur) args[k] = v;
        break;
      }
      case 'FROM': {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(arg);
        const from = expand(m?.[1] ?? arg);
        const parent = stages.get(from);
        cur = {
          name: m?.[2] ?? `stage${stages.size}`,
          from,
          user: parent?.user ?? 'root',
          env: { ...(parent?.env ?? {}) },
          owned: new Map(parent?.owned ?? []),
          cmd: parent?.cmd ?? '',
        };
        stages.set(cur.name, cur);
        break;
      }
      case 'USER':
        if (cur) cur.user = arg.split(':')[0] ?? arg;
        break;
      case 'ENV':
        if (cur)
          for (const m of arg.matchAll(/(\w+)=("[^"]*"|\S+)/g)) cur.env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
        break;
      case 'RUN':
        if (cur) {
          for (const m of arg.matchAll(/install\s+-d\s+((?:-\S+\s+\S+\s+)*?)(\/\S+(?:\s+\/\S+)*)/g)) {
            const owner = /-o\s+(\S+)/.exec(m[1] ?? '')?.[1];
            if (owner) for (const p of m[2]!.split(/\s+/)) cur.owned.set(p, owner);
          }
          for (const m of arg.matchAll(/chown\s+(?:-R\s+)?([\w-]+)(?::[\w-]+)?\s+((?:\/\S+\s*)+)/g))
            for (const p of m[2]!.trim().split(/\s+/)) cur.owned.set(p, m[1]!);
        }
        break;
      case 'CMD':
      case 'ENTRYPOINT':
        if (cur) cur.cmd = arg;
        break;
    }
  }
  return stages;
}

const mountTargets = (s: Service): string[] =>
  (s.volumes ?? []).map((v) => (typeof v === 'string' ? (v.split(':')[1] ?? v) : v.target));
const tmpfsTargets = (s: Service): string[] =>
  (Array.isArray(s.tmpfs) ? s.tmpfs : s.tmpfs ? [s.tmpfs] : []).map((t) => t.split(':')[0]!);

test('the compose file renders with .env.example, and names every required secret that is missing', () => {
  const services = rendered();
  assert.ok(Object.keys(services).length >= 10, Object.keys(services).join(', '));
  for (const name of ['TEMPORAL_DB_PASSWORD', 'MONGO_PASSWORD', 'GRAFANA_ADMIN_PASSWORD']) {
    const { [name]: _omitted, ...rest } = exampleEnv();
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...rest };
    const r = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    assert.notEqual(r.status, 0, `${name} missing: docker-compose accepted the file`);
    assert.match(r.stderr, new RegExp(`set ${name}`), `${name} is named when missing`);
  }
});

test('every image is pinned to an exact version, the worker image included, and the base image is Node 22 LTS', () => {
  const services = rendered(['gpu']);
  // PostgreSQL's releases have two numbers (16.4); everything else three.
  const exact = /^(?:postgres:\d+\.\d+|[\w./-]+:v?\d+\.\d+\.\d+)(?:-[-.\w]+)?$/;
  for (const [name, s] of Object.entries(services)) {
    assert.ok(s.image, `${name}: has an image name (built services name their tag)`);
    assert.match(s.image, exact, `${name}: ${s.image} is not pinned to an exact version`);
  }
  const stages = dockerStages(readFileSync(join(root, 'infra/docker/Dockerfile'), 'utf8'));
  for (const stage of stages.values()) {
    if (stages.has(stage.from)) continue;
    assert.match(stage.from, exact, `Dockerfile stage ${stage.name}: FROM ${stage.from} is not pinned`);
  }
  for (const name of ['build', 'deps', 'cpu'])
    assert.match(stages.get(name)?.from ?? '', /^node:22\.\d+\.\d+-bookworm/, `stage ${name} is on Node 22`);
});

test('Temporal runs temporalio/server with admin-tools jobs for its schema and namespace, not auto-setup', () => {
  const services = rendered();
  const images = Object.values(services).map((s) => s.image ?? '');
  assert.ok(!images.some((i) => i.includes('auto-setup')), 'temporalio/auto-setup is deprecated upstream');
  assert.match(services['temporal']?.image ?? '', /^temporalio\/server:/);
  const jobs = jobsOf(services);
  const schema = [...jobs].find((j) => /temporal-sql-tool/.test(String(services[j]?.command)));
  assert.ok(schema, 'a job runs temporal-sql-tool');
  assert.match(services[schema]?.image ?? '', /^temporalio\/admin-tools:/);
  assert.equal(dependsOn(services['temporal']!)[schema], 'service_completed_successfully');
  const setup = [...jobs].find((j) => /namespace create/.test(String(services[j]?.command)));
  assert.ok(setup, 'a job creates the namespace');
  for (const w of ['worker-cpu'])
    assert.equal(dependsOn(services[w]!)[setup], 'service_completed_successfully');
});

test('every long-running service has a healthcheck, and services wait for their dependencies to be healthy', () => {
  const services = rendered(['gpu']);
  const jobs = jobsOf(services);
  assert.ok(jobs.size >= 2, `one-shot jobs: ${[...jobs].join(', ')}`);
  for (const [name, s] of Object.entries(services)) {
    if (jobs.has(name)) {
      assert.match(s.restart ?? '', /^on-failure/, `${name}: a job restarts only on failure`);
      continue;
    }
    assert.ok(s.healthcheck && !s.healthcheck.disable && s.healthcheck.test, `${name}: no healthcheck`);
    for (const [dep, condition] of Object.entries(dependsOn(s)))
      assert.equal(
        condition,
        jobs.has(dep) ? 'service_completed_successfully' : 'service_healthy',
        `${name} waits on ${dep}`,
      );
  }
});

test('workers run as an unprivileged user with a read-only root, and every path they write is theirs or a tmpfs', () => {
  const services = rendered(['gpu']);
  const stages = dockerStages(readFileSync(join(root, 'infra/docker/Dockerfile'), 'utf8'));
  const workers = Object.entries(services).filter(([, s]) => s.build);
  assert.deepEqual(workers.map(([n]) => n).sort(), ['worker-cpu', 'worker-gpu']);
  for (const [name, s] of workers) {
    const stage = stages.get(s.build?.target ?? '');
    assert.ok(stage, `${name}: target ${s.build?.target} is a stage of the Dockerfile`);
    const user = s.user ?? stage.user;
    assert.notEqual(user, 'root', `${name} runs as root`);
    assert.doesNotMatch(
      stage.cmd,
      /\b(npx|tsx)\b/,
      `${name}: runs built JavaScript, not TypeScript through tsx`,
    );
    assert.equal(
      s.read_only,
      true,
      `${name}: the root file system is read-only, so every writable path is listed`,
    );
    const tmpfs = tmpfsTargets(s);
    const writable = [...mountTargets(s), ...tmpfs];
    const cacheDir = s.environment?.['FOLDWISE_CACHE_DIR'] ?? stage.env['FOLDWISE_CACHE_DIR'];
    assert.ok(cacheDir, `${name}: FOLDWISE_CACHE_DIR is set (its default is under the read-only /app)`);
    assert.ok(
      writable.some((w) => cacheDir === w || cacheDir.startsWith(`${w}/`)),
      `${name}: FOLDWISE_CACHE_DIR ${cacheDir} is on a writable mount (${writable.join(', ')})`,
    );
    for (const path of mountTargets(s))
      assert.equal(
        stage.owned.get(path),
        user,
        `${name}: ${path} is mounted writable but the image does not create it owned by ${user}`,
      );
  }
});

test('the GPU pool comes up only in the gpu profile, and nothing else needs it', () => {
  const services = rendered();
  const withProfiles = Object.entries(services).filter(([, s]) => (s.profiles ?? []).length > 0);
  assert.deepEqual(
    withProfiles.map(([n, s]) => `${n}:${(s.profiles ?? []).join(',')}`),
    ['worker-gpu:gpu'],
  );
  for (const [name, s] of Object.entries(services))
    assert.ok(!('worker-gpu' in dependsOn(s)), `${name} depends on the optional GPU pool`);
  const gpu = rendered(['gpu'])['worker-gpu'];
  assert.equal(gpu?.environment?.['FOLDWISE_SLOTS'], '1');
  assert.equal(gpu?.build?.target, 'gpu');
});

test('every published port is bound to 127.0.0.1', () => {
  for (const [name, s] of Object.entries(rendered(['gpu'])))
    for (const p of s.ports ?? []) {
      const ip = typeof p === 'string' ? p.split(':')[0] : p.host_ip;
      assert.equal(ip, '127.0.0.1', `${name}: port ${JSON.stringify(p)}`);
    }
});
