import type { ConnectionOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';

/** Variables foldwise renamed to its `FOLDWISE_` prefix: old name → current name. The old names are still read. */
export const renamedVariables = {
  MONGODB_DB: 'FOLDWISE_MONGODB_DB',
  METRICS_PORT: 'FOLDWISE_METRICS_PORT',
  METRICS_HOST: 'FOLDWISE_METRICS_HOST',
  LOG_LEVEL: 'FOLDWISE_LOG_LEVEL',
  FASHION_MNIST_DIR: 'FOLDWISE_FASHION_MNIST_DIR',
} as const;

/**
 * The environment with each renamed variable under its current name (where both are set, the current one wins), and
 * a one-line deprecation notice for each old name that is set.
 */
export function withCurrentNames(
  env: NodeJS.ProcessEnv,
  renames: Readonly<Record<string, string>> = renamedVariables,
): { env: NodeJS.ProcessEnv; notices: string[] } {
  const out: NodeJS.ProcessEnv = { ...env };
  const notices: string[] = [];
  for (const [old, current] of Object.entries(renames)) {
    const v = env[old];
    if (v === undefined || v === '') continue;
    const both = (env[current] ?? '') !== '';
    notices.push(
      `foldwise: ${old} is deprecated; set ${current} instead${both ? ` (both are set: ${current} is used)` : ''}`,
    );
    if (!both) out[current] = v;
  }
  return { env: out, notices };
}

const unsetWhenEmpty = (v: unknown): unknown => (v === '' ? undefined : v);
const optionalString = z.preprocess(unsetWhenEmpty, z.string().optional());

/** The database named in a MongoDB connection string's path (`mongodb://host:27017/mydb?…` → `mydb`), if any. */
export function databaseInUri(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?#]*)/.exec(uri);
  const name = m?.[1] ? decodeURIComponent(m[1]) : '';
  return name === '' ? undefined : name;
}

/**
 * The variables a client of foldwise reads (the SDK, the CLI, and the worker for its connections). Temporal's own —
 * `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE`,
 * `TEMPORAL_CONFIG_FILE` — are read by `@temporalio/envconfig`, as every Temporal SDK and the `temporal` CLI read them.
 */
export const clientEnvSchema = z.object({
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: optionalString,
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: optionalString,
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalString,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalString,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_PROFILE: optionalString,
  TEMPORAL_CONFIG_FILE: optionalString,
  MONGODB_URI: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'MONGODB_URI must start with mongodb:// or mongodb+srv://')
      .default('mongodb://127.0.0.1:27017'),
  ),
  FOLDWISE_MONGODB_DB: optionalString,
  NATS_URL: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .regex(/^(nats|tls|ws|wss):\/\//, 'NATS_URL must start with nats://, tls://, ws:// or wss://')
      .default('nats://127.0.0.1:4222'),
  ),
  NATS_CREDS: optionalString,
  FOLDWISE_DATA_ROOTS: optionalString,
  FOLDWISE_SEARCH_ATTRIBUTES: z.preprocess(unsetWhenEmpty, z.enum(['true', 'false']).default('true')),
});

/** What each client variable means (the variables table is generated from the schema and these lines). */
export const clientVariableDocs: Record<keyof typeof clientEnvSchema.shape, string> = {
  TEMPORAL_ADDRESS: 'Temporal frontend `host:port` (default `127.0.0.1:7233`, or the profile’s)',
  TEMPORAL_NAMESPACE: 'Temporal namespace (default `default`, or the profile’s)',
  TEMPORAL_API_KEY: 'API key for Temporal Cloud; turns TLS on',
  TEMPORAL_TLS: '`true` connects with TLS (server certificate checked against the system’s roots)',
  TEMPORAL_TLS_CLIENT_CERT_PATH: 'client certificate for mTLS (PEM)',
  TEMPORAL_TLS_CLIENT_KEY_PATH: 'client key for mTLS (PEM)',
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'CA certificate to check the server against (PEM)',
  TEMPORAL_TLS_SERVER_NAME: 'server name to check the certificate for (SNI)',
  TEMPORAL_PROFILE: 'profile of the Temporal configuration file to use (default `default`)',
  TEMPORAL_CONFIG_FILE: 'Temporal configuration file (default `~/.config/temporalio/temporal.toml`)',
  MONGODB_URI: 'MongoDB connection string; a database in its path (`…:27017/mydb`) is the one used',
  FOLDWISE_MONGODB_DB:
    'MongoDB database, over the one in `MONGODB_URI` (default: that one, else `foldwise`); was `MONGODB_DB`',
  NATS_URL: 'NATS server(s) with JetStream, comma-separated',
  NATS_CREDS: 'NATS credentials file (JWT and NKey seed, as `nsc` writes it)',
  FOLDWISE_DATA_ROOTS:
    'comma-separated folders a spec’s `dataset.path` may point into (default: the current folder)',
  FOLDWISE_SEARCH_ATTRIBUTES:
    '`false` stops upserting the Foldwise* search attributes (when a namespace lacks them)',
};

/** How a client connects, read from its environment. */
export type ClientEnv = z.infer<typeof clientEnvSchema>;

/** Reads and validates a client's environment (renamed variables under their current names); throws naming each bad one. */
export function readClientEnv(env: NodeJS.ProcessEnv = process.env): ClientEnv {
  const r = clientEnvSchema.safeParse(withCurrentNames(env).env);
  if (!r.success) throw new Error(r.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('\n'));
  return r.data;
}

/** Where to find Temporal: a frontend, a namespace, and what the connection needs (TLS, an API key, headers). */
export interface TemporalTarget {
  address: string;
  namespace: string;
  tls?: ConnectionOptions['tls'];
  apiKey?: string;
  metadata?: ConnectionOptions['metadata'];
}

/**
 * The Temporal connection of a process: the profile `@temporalio/envconfig` loads (the configuration file's
 * `TEMPORAL_PROFILE`, then the `TEMPORAL_*` variables over it), with `overrides` over both.
 */
export function temporalTarget(
  env: NodeJS.ProcessEnv = process.env,
  overrides: { address?: string | undefined; namespace?: string | undefined } = {},
): TemporalTarget {
  const vars = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
  const { connectionOptions: c, namespace } = loadClientConnectConfig({ overrideEnvVars: vars });
  return {
    address: overrides.address || c.address || '127.0.0.1:7233',
    namespace: overrides.namespace || namespace || 'default',
    ...(c.tls !== undefined ? { tls: c.tls } : {}),
    ...(c.apiKey !== undefined ? { apiKey: c.apiKey } : {}),
    ...(c.metadata !== undefined ? { metadata: c.metadata } : {}),
  };
}

/** The MongoDB database to use: `explicit`, else `FOLDWISE_MONGODB_DB`, else the one in the URI's path, else `foldwise`. */
export function mongoDatabase(uri: string, explicit?: string): string {
  return explicit || databaseInUri(uri) || 'foldwise';
}
