/**
 * The Helm chart `infra/helm/foldwise`: `helm lint --strict` (values checked against values.schema.json) and
 * `helm template … | kubeconform -strict` against the Kubernetes, KEDA and prometheus-operator schemas kept in
 * `infra/helm/schemas`, offline, for the default values and `ci/*-values.yaml`; then what the rendered objects must say.
 * helm and kubeconform are built from their Go modules into .cache/bin once (`infra/local/cli.ts tools`).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the chart checks build their Go tools like the local stack
import { ensureGoTools } from '../../infra/local/binaries';

const root = resolve(__dirname, '..', '..');
const chart = join(root, 'infra', 'helm', 'foldwise');
const schemas = join(root, 'infra', 'helm', 'schemas');
const kubernetesVersion = '1.32.2';
const valueFiles = readdirSync(join(chart, 'ci'))
  .filter((f) => f.endsWith('-values.yaml'))
  .map((f) => join(chart, 'ci', f));

let helm = '';
let kubeconform = '';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

interface Container {
  name: string;
  image: string;
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  ports: Array<{ name: string; containerPort: number }>;
  resources: { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
  startupProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  securityContext?: Record<string, unknown>;
}

interface PodSpec {
  terminationGracePeriodSeconds: number;
  containers: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: Array<Record<string, string>>;
  securityContext?: Record<string, unknown>;
}

const sh = (cmd: string, args: string[], input?: string) =>
  spawnSync(cmd, args, { cwd: root, encoding: 'utf8', input, timeout: 120_000 });

function render(values: string[] = [], set: string[] = []): { text: string; objects: K8sObject[] } {
  const r = sh(helm, [
    'template',
    'fw',
    chart,
    '--namespace',
    'foldwise',
    ...values.flatMap((v) => ['-f', v]),
    ...set.flatMap((s) => ['--set', s]),
  ]);
  assert.equal(r.status, 0, `helm template: ${r.stderr}`);
  const objects = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return { text: r.stdout, objects };
}

function kubeconformCheck(manifests: string): { status: number | null; output: string } {
  const r = sh(
    kubeconform,
    [
      '-strict',
      '-summary',
      '-kubernetes-version',
      kubernetesVersion,
      '-schema-location',
      join(
        schemas,
        'kubernetes',
        '{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json',
      ),
      '-schema-location',
      join(schemas, 'crds', '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'),
      '-',
    ],
    manifests,
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const named = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(
    o,
    `${kind} ${name} is rendered (have: ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')})`,
  );
  return o;
};
const podOf = (d: K8sObject): PodSpec => (d.spec as { template: { spec: PodSpec } }).template.spec;
const envOf = (c: Container, name: string) => c.env.find((e) => e.name === name);

before(async () => {
  const tools = await ensureGoTools(root, ['helm', 'kubeconform'], (l) =>
    process.stdout.write(`[helm] ${l}\n`),
  );
  helm = tools.helm;
  kubeconform = tools.kubeconform;
});

test('helm lint --strict passes with the default values and every ci/*-values.yaml', () => {
  for (const values of [[], ...valueFiles.map((v) => [v])]) {
    const r = sh(helm, ['lint', '--strict', chart, ...values.flatMap((v) => ['-f', v])]);
    assert.equal(r.status, 0, `helm lint ${values.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  }
});

test('helm lint rejects a misspelt value (values.schema.json) and a gpu pool with more than one slot', () => {
  const typo = sh(helm, ['lint', '--strict', chart, '--set', 'pools.cpu.slot=4']);
  assert.notEqual(typo.status, 0, 'a misspelt key passes lint');
  assert.match(`${typo.stdout}${typo.stderr}`, /slot/);
  const slots = sh(helm, ['lint', '--strict', chart, '--set', 'pools.gpu.slots=2']);
  assert.notEqual(slots.status, 0, 'two slots on the gpu pool pass lint');
});

test('helm template output passes kubeconform -strict against the schemas in the repository, for every values file', () => {
  for (const values of [[], ...valueFiles.map((v) => [v])]) {
    const { text, objects } = render(values);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'ScaledObject',
      'PodDisruptionBudget',
      'ServiceMonitor',
      'ConfigMap',
      'Service',
    ])
      assert.ok(kinds.has(kind), `${kind} is rendered with ${values.join(' ') || 'the default values'}`);
    const r = kubeconformCheck(text);
    assert.equal(r.status, 0, `kubeconform ${values.join(' ')}:\n${r.output}`);
    assert.match(
      r.output,
      new RegExp(
        `Summary: ${objects.length} resources found .* Valid: ${objects.length}, Invalid: 0, Errors: 0, Skipped: 0`,
      ),
    );
  }
});

test('kubeconform -strict rejects an unknown field in a Deployment, a ScaledObject and a ServiceMonitor', () => {
  const { objects } = render();
  for (const kind of ['Deployment', 'ScaledObject', 'ServiceMonitor']) {
    const o = structuredClone(objects.find((x) => x.kind === kind)!);
    (o.spec as Record<string, unknown>)['replicaz'] = 3;
    const r = kubeconformCheck(stringify(o));
    assert.notEqual(r.status, 0, `${kind} with an unknown field passed:\n${r.output}`);
    assert.match(r.output, /replicaz/);
  }
});

test('one Deployment per enabled pool plus the control worker, each scaled by KEDA on its task-queue backlog', () => {
  const { objects } = render(valueFiles.filter((f) => f.endsWith('existing-services-values.yaml')));
  const control = podOf(named(objects, 'Deployment', 'fw-foldwise-control')).containers[0]!;
  assert.equal(envOf(control, 'FOLDWISE_SLOTS')?.value, '0', 'the control worker trains nothing');
  assert.equal(envOf(control, 'FOLDWISE_CONTROL')?.value, 'true');
  for (const pool of ['cpu', 'gpu']) {
    const deployment = named(objects, 'Deployment', `fw-foldwise-pool-${pool}`);
    assert.equal(
      (deployment.spec as { replicas?: number }).replicas,
      undefined,
      'KEDA owns the replica count',
    );
    const c = podOf(deployment).containers[0]!;
    assert.equal(envOf(c, 'FOLDWISE_POOL')?.value, pool);
    assert.equal(envOf(c, 'FOLDWISE_CONTROL')?.value, 'false');
    const so = named(objects, 'ScaledObject', `fw-foldwise-pool-${pool}`);
    const spec = so.spec as {
      scaleTargetRef: { name: string };
      minReplicaCount: number;
      maxReplicaCount: number;
      cooldownPeriod: number;
      triggers: Array<{ type: string; metadata: Record<string, string> }>;
    };
    assert.equal(spec.scaleTargetRef.name, deployment.metadata.name);
    assert.deepEqual(
      spec.triggers.map((t) => t.type),
      ['temporal'],
    );
    const meta = spec.triggers[0]!.metadata;
    assert.equal(meta['taskQueue'], `foldwise-${pool}`);
    assert.equal(meta['queueTypes'], 'activity');
    assert.equal(meta['endpoint'], 'temporal-frontend.temporal.svc.cluster.local:7233');
    assert.equal(meta['namespace'], 'research');
    assert.ok(spec.maxReplicaCount >= 1 && spec.cooldownPeriod > 0);
  }
  assert.equal(
    (named(objects, 'ScaledObject', 'fw-foldwise-pool-gpu').spec as { minReplicaCount: number })
      .minReplicaCount,
    0,
  );
  const fixed = render([], ['pools.cpu.autoscaling.enabled=false', 'pools.cpu.replicas=3']).objects;
  assert.equal((named(fixed, 'Deployment', 'fw-foldwise-pool-cpu').spec as { replicas: number }).replicas, 3);
  assert.ok(!fixed.some((o) => o.kind === 'ScaledObject' && o.metadata.name === 'fw-foldwise-pool-cpu'));
});

test('the GPU pool asks for one nvidia.com/gpu per pod, one slot, GPU nodes and their taint', () => {
  const { objects } = render([], ['pools.gpu.enabled=true']);
  const pod = podOf(named(objects, 'Deployment', 'fw-foldwise-pool-gpu'));
  const c = pod.containers[0]!;
  assert.equal(c.resources.limits?.['nvidia.com/gpu'], 1);
  assert.equal(envOf(c, 'FOLDWISE_SLOTS')?.value, '1');
  assert.match(c.image, /-gpu$/);
  assert.deepEqual(pod.nodeSelector, { 'nvidia.com/gpu.present': 'true' });
  assert.ok(pod.tolerations?.some((t) => t['key'] === 'nvidia.com/gpu' && t['effect'] === 'NoSchedule'));
  assert.ok(!render().objects.some((o) => o.metadata.name === 'fw-foldwise-pool-gpu'), 'off by default');
});

test('probes hit /healthz on the metrics port, and the termination grace covers FOLDWISE_SHUTDOWN_GRACE', () => {
  const { objects } = render([], ['shutdownGraceSeconds=300', 'terminationGraceMarginSeconds=45']);
  for (const d of objects.filter((o) => o.kind === 'Deployment')) {
    const pod = podOf(d);
    const c = pod.containers[0]!;
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe])
      assert.deepEqual(probe?.httpGet, { path: '/healthz', port: 'metrics' }, d.metadata.name);
    assert.equal(c.ports.find((p) => p.name === 'metrics')?.containerPort, 9464);
    assert.equal(envOf(c, 'FOLDWISE_SHUTDOWN_GRACE')?.value, '300s');
    assert.equal(pod.terminationGracePeriodSeconds, 345, d.metadata.name);
    assert.equal(pod.securityContext?.['runAsNonRoot'], true);
    assert.equal(c.securityContext?.['readOnlyRootFilesystem'], true);
  }
});

test('connection strings come from a Secret (the chart’s own or an existing one), never from plain env values', () => {
  const own = render().objects;
  const secret = named(own, 'Secret', 'fw-foldwise-connection');
  assert.match(secret.stringData?.['MONGODB_URI'] ?? '', /^mongodb:\/\//);
  assert.match(secret.stringData?.['NATS_URL'] ?? '', /^nats:\/\//);
  const existing = render([], ['connection.existingSecret=ops-foldwise']).objects;
  assert.ok(!existing.some((o) => o.kind === 'Secret'), 'no Secret is created when an existing one is named');
  for (const [objects, name] of [
    [own, 'fw-foldwise-connection'],
    [existing, 'ops-foldwise'],
  ] as const)
    for (const d of objects.filter((o) => o.kind === 'Deployment'))
      for (const key of ['MONGODB_URI', 'NATS_URL'])
        assert.deepEqual(envOf(podOf(d).containers[0]!, key)?.valueFrom?.secretKeyRef, { name, key });
});

test('each Deployment has a PodDisruptionBudget selecting exactly its pods', () => {
  const { objects } = render([], ['pools.gpu.enabled=true']);
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  assert.equal(pdbs.length, deployments.length);
  for (const d of deployments) {
    const selector = (d.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
    const pdb = pdbs.find((p) => p.metadata.name === d.metadata.name);
    assert.ok(pdb, `a PodDisruptionBudget for ${d.metadata.name}`);
    assert.deepEqual(
      (pdb.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
      selector,
    );
  }
});

test('the ServiceMonitor scrapes the metrics Service, and the dashboard ConfigMap carries infra/grafana’s dashboard', () => {
  const { objects } = render();
  const service = named(objects, 'Service', 'fw-foldwise-metrics');
  const monitor = named(objects, 'ServiceMonitor', 'fw-foldwise');
  const sel = (monitor.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
  for (const [k, v] of Object.entries(sel))
    assert.equal(service.metadata.labels?.[k], v, `ServiceMonitor selects ${k}`);
  assert.deepEqual(
    (monitor.spec as { endpoints: Array<{ port: string; path: string }> }).endpoints.map((e) => [
      e.port,
      e.path,
    ]),
    [['metrics', '/metrics']],
  );
  const dash = named(objects, 'ConfigMap', 'fw-foldwise-dashboard');
  assert.equal(dash.metadata.labels?.['grafana_dashboard'], '1');
  assert.deepEqual(
    JSON.parse(dash.data?.['foldwise.json'] ?? '{}'),
    JSON.parse(readFileSync(join(root, 'infra', 'grafana', 'dashboards', 'foldwise.json'), 'utf8')),
  );
});

test('the chart packages (helm package follows the dashboard link into the archive)', () => {
  const out = mkdtempSync(join(tmpdir(), 'foldwise-chart-'));
  try {
    const r = sh(helm, ['package', chart, '--destination', out]);
    assert.equal(r.status, 0, r.stderr);
    const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz);
    const listing = sh('tar', ['-tzf', join(out, tgz)]).stdout;
    assert.match(listing, /foldwise\/dashboards\/foldwise\.json/);
    writeFileSync(join(out, 'ok'), '');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
