import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

// ESLint's config (eslint.config.mjs) must build Nx's project graph itself: the boundary rule silently skips
// itself without one. So this file lints with an empty Nx workspace-data directory, where no cached graph
// exists; it is set before ESLint (and with it @nx/devkit) is loaded.
const workspaceData = mkdtempSync(join(tmpdir(), 'foldwise-nx-data-'));
process.env.NX_WORKSPACE_DATA_DIRECTORY = workspaceData;
process.env.NX_DAEMON = 'false';

/** One file a project must not contain (or, with `expect: []`, may), and the rule that must catch it. */
interface Probe {
  name: string;
  /** Folder the probe is written into, relative to the repository root; its project's kind is the one tested. */
  dir: string;
  source: string;
  /** Rule ids the probe must hit, once each per entry; `[]` means it must pass lint. */
  expect: string[];
}

const boundary = '@nx/enforce-module-boundaries';
const restricted = 'no-restricted-imports';

const probes: Probe[] = [
  {
    name: 'workflow code importing mongodb',
    dir: 'workflows/src',
    source: "import { MongoClient } from 'mongodb';\nexport const c = MongoClient;\n",
    expect: [boundary],
  },
  {
    name: 'workflow code importing @temporalio/activity and @tensorflow/tfjs',
    dir: 'workflows/src',
    source:
      "import { heartbeat } from '@temporalio/activity';\nimport * as tf from '@tensorflow/tfjs';\nexport const h = [heartbeat, tf];\n",
    expect: [boundary, boundary],
  },
  {
    name: 'workflow code importing node:fs',
    dir: 'workflows/src',
    source: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
    expect: [restricted],
  },
  {
    name: 'workflow code importing a Node built-in without the node: prefix',
    dir: 'workflows/src',
    source: "import { createHash } from 'crypto';\nexport const h = createHash;\n",
    expect: [restricted],
  },
  {
    name: 'workflow code importing the store library',
    dir: 'workflows/src',
    source: "import * as s from '@foldwise/store';\nexport const x = s;\n",
    expect: [boundary],
  },
  {
    name: 'workflow code importing values from the activities',
    dir: 'workflows/src',
    source: "import { createActivities } from '@foldwise/activities';\nexport const a = createActivities;\n",
    expect: ['@typescript-eslint/no-restricted-imports'],
  },
  {
    name: 'workflow code importing only the types of the activities',
    dir: 'workflows/src',
    source: "import type { FoldActivities } from '@foldwise/activities';\nexport type A = FoldActivities;\n",
    expect: [],
  },
  {
    name: 'a pure library importing the store library',
    dir: 'libs/metrics/src',
    source: "import * as s from '@foldwise/store';\nexport const x = s;\n",
    expect: [boundary],
  },
  {
    name: 'a pure library importing mongodb',
    dir: 'libs/compare/src',
    source: "import { MongoClient } from 'mongodb';\nexport const c = MongoClient;\n",
    expect: [boundary],
  },
  {
    name: 'a pure library importing node:path',
    dir: 'libs/spec/src',
    source: "import { join } from 'node:path';\nexport const j = join;\n",
    expect: [restricted],
  },
  {
    name: 'a pure library importing another pure library',
    dir: 'libs/selection/src',
    source: "import * as m from '@foldwise/metrics';\nexport const x = m;\n",
    expect: [],
  },
  {
    name: 'a library importing a service',
    dir: 'libs/datasets/src',
    source: "import * as w from '@foldwise/worker';\nexport const x = w;\n",
    expect: [boundary],
  },
  {
    name: 'a library importing the activities',
    dir: 'libs/events/src',
    source: "import * as a from '@foldwise/activities';\nexport const x = a;\n",
    expect: [boundary],
  },
  {
    name: 'a library importing the workflows',
    dir: 'libs/telemetry/src',
    source: "import * as w from '@foldwise/workflows';\nexport const x = w;\n",
    expect: [boundary],
  },
  {
    name: "a deep import into another package's files",
    dir: 'libs/sdk/src',
    source: "import * as s from '@foldwise/store/src/index';\nexport const x = s;\n",
    expect: [restricted],
  },
  {
    name: 'activities importing workflow code',
    dir: 'activities/src',
    source: "import * as w from '@foldwise/workflows';\nexport const x = w;\n",
    expect: [boundary],
  },
  {
    name: 'activities importing a service',
    dir: 'activities/src',
    source: "import * as c from '@foldwise/cli';\nexport const x = c;\n",
    expect: [boundary],
  },
  {
    name: 'an activity module importing mongodb',
    dir: 'activities/src',
    source: "import { MongoClient } from 'mongodb';\nexport const c = MongoClient;\n",
    expect: [],
  },
  {
    name: 'a service importing the test project',
    dir: 'services/cli/src',
    source: "import * as t from '@foldwise/test';\nexport const x = t;\n",
    expect: [boundary],
  },
  {
    name: 'the test project importing another project by a relative path',
    dir: 'test/support',
    source: "import * as s from '../../../libs/store/src/index';\nexport const x = s;\n",
    expect: [boundary],
  },
  {
    name: 'infrastructure tooling importing a workspace library',
    dir: 'infra/local',
    source: "import * as s from '@foldwise/store';\nexport const x = s;\n",
    expect: [boundary],
  },
  {
    name: 'a floating promise',
    dir: 'libs/metrics/src',
    source: 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n',
    expect: ['@typescript-eslint/no-floating-promises'],
  },
  {
    name: 'an eslint-disable comment that disables nothing',
    dir: 'libs/metrics/src',
    source: '// eslint-disable-next-line no-console\nexport const x = 1;\n',
    expect: ['unused-disable-directive'],
  },
];

let projectList: { root: string; tags: string[] }[] | undefined;
/** Project roots and tags, from every tracked project.json. */
const projects = (): { root: string; tags: string[] }[] =>
  (projectList ??= execFileSync('git', ['ls-files', '*project.json'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((file) => {
      const json = JSON.parse(readFileSync(join(root, file), 'utf8')) as { tags?: string[] };
      return { root: dirname(file), tags: json.tags ?? [] };
    }));

/** The project (deepest root) that contains `path`, a path relative to the repository root. */
function projectOf(path: string): { root: string; tags: string[] } | undefined {
  return projects()
    .filter((p) => path.startsWith(`${p.root}/`))
    .sort((a, b) => b.root.length - a.root.length)[0];
}

const kindOf = (tags: string[]) => tags.find((t) => t.startsWith('type:'));

let results: Map<Probe, string[]>;
let stdout = '';
let dirs: string[] = [];

before(async () => {
  const { ESLint } = await import('eslint');
  const files = probes.map((p) => {
    const dir = mkdtempSync(join(root, p.dir, 'lint-probe-'));
    dirs.push(dir);
    const file = join(dir, 'probe.ts');
    writeFileSync(file, p.source);
    return file;
  });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    stdout += String(chunk);
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    const linted = await new ESLint({ cwd: root }).lintFiles(files);
    const byFile = new Map(linted.map((r) => [r.filePath, r.messages]));
    results = new Map(
      probes.map((p, i) => [
        p,
        (byFile.get(files[i] ?? '') ?? []).map(
          (m) =>
            m.ruleId ??
            (m.message.startsWith('Unused eslint-disable') ? 'unused-disable-directive' : m.message),
        ),
      ]),
    );
  } finally {
    process.stdout.write = write;
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  }
});

after(() => rmSync(workspaceData, { recursive: true, force: true }));

for (const probe of probes) {
  const verdict = probe.expect.length === 0 ? 'passes lint' : `fails lint (${probe.expect.join(', ')})`;
  test(`${probe.name} ${verdict}`, () => {
    const hit = results.get(probe) ?? [];
    assert.deepEqual(
      [...hit].sort(),
      [...probe.expect].sort(),
      `rules hit in ${probe.dir}: ${hit.join(', ')}`,
    );
  });
}

test('ESLint builds the Nx project graph itself, so the boundary rule never skips itself', () => {
  assert.doesNotMatch(stdout, /No cached ProjectGraph/);
  assert.ok(
    readFileSync(join(workspaceData, 'project-graph.json'), 'utf8').includes('"type:workflow"'),
    `no project graph written to ${workspaceData}`,
  );
});

test('every project kind has a boundary probe that must fail lint', () => {
  const kinds = new Set(projects().map((p) => kindOf(p.tags)));
  const probed = new Set(
    probes.filter((p) => p.expect.length > 0).map((p) => kindOf(projectOf(p.dir)?.tags ?? [])),
  );
  assert.ok(!kinds.has(undefined), 'a project.json has no type:* tag');
  assert.deepEqual([...probed].sort(), [...kinds].sort());
});

test('every TypeScript file in the repository belongs to a project and is linted', async () => {
  const { ESLint } = await import('eslint');
  const eslint = new ESLint({ cwd: root });
  const files = execFileSync('git', ['ls-files', '*.ts'], { cwd: root, encoding: 'utf8' }).split('\n');
  const outside: string[] = [];
  for (const file of files.filter(Boolean)) {
    if (!projectOf(file) || (await eslint.isPathIgnored(join(root, file)))) outside.push(file);
  }
  assert.deepEqual(outside, []);
});
