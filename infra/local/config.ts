import { z } from 'zod';

/** Search attributes that foldwise registers on Temporal, by role. */
export const SearchAttribute = {
  SearchName: 'FoldwiseSearchName',
  Status: 'FoldwiseStatus',
  BestScore: 'FoldwiseBestScore',
  Model: 'FoldwiseModel',
} as const;

/** Name of one of foldwise's custom search attributes. */
export type SearchAttribute = (typeof SearchAttribute)[keyof typeof SearchAttribute];

/** Temporal's value type of each custom search attribute. */
export const searchAttributeTypes = {
  FoldwiseSearchName: 'Keyword',
  FoldwiseStatus: 'Keyword',
  FoldwiseBestScore: 'Double',
  FoldwiseModel: 'Keyword',
} as const satisfies Record<SearchAttribute, 'Keyword' | 'Double'>;

/** The services that the local stack runs. */
export const ServiceName = {
  Temporal: 'temporal',
  FerretDB: 'ferretdb',
  Nats: 'nats',
} as const;

/** One of the local stack's services. */
export type ServiceName = (typeof ServiceName)[keyof typeof ServiceName];

/** Go modules from which the stack builds its servers, pinned. */
export const goModules = {
  temporal: { module: 'github.com/temporalio/cli', pkg: 'cmd/temporal', version: 'v1.5.1' },
  ferretdb: { module: 'github.com/FerretDB/FerretDB', pkg: 'cmd/ferretdb', version: 'v1.24.2' },
} as const;

/** A command built from a Go module into `.cache/bin/<name>`. */
export interface GoTool {
  /** Module path, e.g. `go.temporal.io/server`. */
  module: string;
  /** Package of the command inside the module. */
  pkg: string;
  /** Exact module version. */
  version: string;
}

/**
 * Tools beyond the local stack, built from their Go modules once and cached in `.cache/bin`: the Temporal server and
 * its SQL schema tool and UI server (the multi-host rehearsal on PostgreSQL), helm and kubeconform (the chart checks).
 */
export const goTools = {
  'temporal-server': { module: 'go.temporal.io/server', pkg: 'cmd/server', version: 'v1.29.1' },
  'temporal-sql-tool': { module: 'go.temporal.io/server', pkg: 'cmd/tools/sql', version: 'v1.29.1' },
  'temporal-ui-server': {
    module: 'github.com/temporalio/ui-server/v2',
    pkg: 'cmd/server',
    version: 'v2.42.1',
  },
  helm: { module: 'helm.sh/helm/v4', pkg: 'cmd/helm', version: 'v4.3.2' },
  kubeconform: { module: 'github.com/yannh/kubeconform', pkg: 'cmd/kubeconform', version: 'v0.7.0' },
} as const satisfies Record<string, GoTool>;

/** Name of a tool in {@link goTools}. */
export type GoToolName = keyof typeof goTools;

/** NATS server that the stack reuses when it answers with JetStream and NATS_URL is not set. */
export const defaultNatsUrl = 'nats://127.0.0.1:4222';

/** Default ports of the local stack, all bound to 127.0.0.1. */
export const defaultPorts = {
  FOLDWISE_TEMPORAL_PORT: 7233,
  FOLDWISE_TEMPORAL_UI_PORT: 8233,
  FOLDWISE_MONGO_PORT: 27017,
  FOLDWISE_NATS_PORT: 4223,
} as const;

const unsetWhenEmpty = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const port = z.preprocess(
  unsetWhenEmpty,
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/, 'must be a port number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 65535, 'must be between 1 and 65535')
    .optional(),
);

const natsUrl = z.preprocess(
  unsetWhenEmpty,
  z
    .string()
    .trim()
    .refine(
      (s) => s.split(',').every((u) => /^(nats|tls|ws|wss):\/\/[^\s/]+(:[0-9]+)?\/?$/.test(u.trim())),
      'must be a nats:// URL (or a comma-separated list of them)',
    )
    .optional(),
);

const envSchema = z.object({
  FOLDWISE_TEMPORAL_PORT: port,
  FOLDWISE_TEMPORAL_UI_PORT: port,
  FOLDWISE_MONGO_PORT: port,
  FOLDWISE_NATS_PORT: port,
  NATS_URL: natsUrl,
});

/** The variables the local stack reads (for the generated variables table). */
export const stackVariablesSchema = envSchema;

/** How the stack obtains NATS: reuse a server that answers, or run its own. */
export type NatsPlan =
  | { mode: 'reuse'; url: string; explicit: true }
  | { mode: 'reuse-or-own'; url: string; port: number }
  | { mode: 'own'; port: number };

/** The validated configuration of the local stack. */
export interface StackConfig {
  temporalPort: number;
  temporalUiPort: number;
  mongoPort: number;
  nats: NatsPlan;
}

/** A configuration problem, naming the environment variable at fault. */
export class StackConfigError extends Error {
  override name = 'StackConfigError';
}

/** Validates the stack's environment variables; throws StackConfigError naming each bad variable. */
export function parseStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const parsed = envSchema.safeParse({
    FOLDWISE_TEMPORAL_PORT: env.FOLDWISE_TEMPORAL_PORT,
    FOLDWISE_TEMPORAL_UI_PORT: env.FOLDWISE_TEMPORAL_UI_PORT,
    FOLDWISE_MONGO_PORT: env.FOLDWISE_MONGO_PORT,
    FOLDWISE_NATS_PORT: env.FOLDWISE_NATS_PORT,
    NATS_URL: env.NATS_URL,
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '?');
      return `${key}: ${issue.message} (got ${JSON.stringify(env[key])})`;
    });
    throw new StackConfigError(`invalid stack environment:\n  ${lines.join('\n  ')}`);
  }
  const v = parsed.data;
  const temporalPort = v.FOLDWISE_TEMPORAL_PORT ?? defaultPorts.FOLDWISE_TEMPORAL_PORT;
  const temporalUiPort = v.FOLDWISE_TEMPORAL_UI_PORT ?? defaultPorts.FOLDWISE_TEMPORAL_UI_PORT;
  const mongoPort = v.FOLDWISE_MONGO_PORT ?? defaultPorts.FOLDWISE_MONGO_PORT;
  if (v.NATS_URL !== undefined && v.FOLDWISE_NATS_PORT !== undefined) {
    throw new StackConfigError(
      'NATS_URL and FOLDWISE_NATS_PORT are both set: NATS_URL reuses a running server, FOLDWISE_NATS_PORT starts an own one; set only one',
    );
  }
  const nats: NatsPlan =
    v.NATS_URL !== undefined
      ? { mode: 'reuse', url: v.NATS_URL, explicit: true }
      : v.FOLDWISE_NATS_PORT !== undefined
        ? { mode: 'own', port: v.FOLDWISE_NATS_PORT }
        : { mode: 'reuse-or-own', url: defaultNatsUrl, port: defaultPorts.FOLDWISE_NATS_PORT };
  const ports: Array<[string, number]> = [
    ['FOLDWISE_TEMPORAL_PORT', temporalPort],
    ['FOLDWISE_TEMPORAL_UI_PORT', temporalUiPort],
    ['FOLDWISE_MONGO_PORT', mongoPort],
  ];
  if (nats.mode !== 'reuse') ports.push(['FOLDWISE_NATS_PORT', nats.port]);
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      const [a, pa] = ports[i]!;
      const [b, pb] = ports[j]!;
      if (pa === pb) throw new StackConfigError(`${b}: port ${pb} is already taken by ${a}`);
    }
  }
  return { temporalPort, temporalUiPort, mongoPort, nats };
}

/** Connection settings that clients of the stack read (the content of env.json). */
export const stackEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1),
  TEMPORAL_NAMESPACE: z.string().min(1),
  TEMPORAL_UI_URL: z.string().min(1),
  MONGODB_URI: z.string().min(1),
  MONGODB_DB: z.string().min(1),
  NATS_URL: z.string().min(1),
});

/** Connection settings of a running stack. */
export type StackEnv = z.infer<typeof stackEnvSchema>;
