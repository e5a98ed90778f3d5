import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- infra/local is tooling (the local stack), not a workspace library
import { stackPaths, stackRoot } from '../../../infra/local';
import { z } from 'zod';
import { temporalTarget } from '@foldwise/sdk';
import type { Endpoint } from './errors';

/** Connection variables the local stack's env.json provides, by the variable each fills. */
export const StackVariables = {
  TEMPORAL_ADDRESS: 'TEMPORAL_ADDRESS',
  TEMPORAL_NAMESPACE: 'TEMPORAL_NAMESPACE',
  MONGODB_URI: 'MONGODB_URI',
  FOLDWISE_MONGODB_DB: 'MONGODB_DB',
  NATS_URL: 'NATS_URL',
  TEMPORAL_UI_URL: 'TEMPORAL_UI_URL',
} as const;

/** The repository root, when the CLI runs from its sources. */
export const repoRoot = resolve(__dirname, '..', '..', '..');

const unsetWhenEmpty = (v: unknown): unknown => (v === '' ? undefined : v);

/** The variables the CLI itself reads; its connections are the SDK's (`clientEnvSchema`). */
export const cliEnvSchema = z.object({
  FOLDWISE_HOME: z.preprocess(unsetWhenEmpty, z.string().optional()),
  FOLDWISE_STACK_ENV: z.preprocess(unsetWhenEmpty, z.string().optional()),
});

/** What each of the CLI's own variables means (the variables table is generated from the schema and these lines). */
export const cliVariableDocs: Record<keyof typeof cliEnvSchema.shape, string> = {
  FOLDWISE_HOME:
    'folder whose `.cache/` holds the local stack’s binaries and data (default: the repository from sources, else `~/.foldwise`)',
  FOLDWISE_STACK_ENV: 'the local stack’s `env.json`, whose addresses fill connection variables left unset',
};

/** The local stack's env.json: FOLDWISE_STACK_ENV, else `.cache/stack/env.json` under the stack's root (`FOLDWISE_HOME`). */
export const stackEnvFile = (env: NodeJS.ProcessEnv = process.env): string => {
  const vars = cliEnvSchema.parse(env);
  return vars.FOLDWISE_STACK_ENV ?? stackPaths(stackRoot(env)).envFile;
};

/** Connection settings given as global flags, which win over the environment. */
export interface ConnectionFlags {
  address?: string | undefined;
  namespace?: string | undefined;
  mongodbUri?: string | undefined;
  natsUrl?: string | undefined;
}

const flagVariables = {
  address: ['TEMPORAL_ADDRESS', '--address'],
  namespace: ['TEMPORAL_NAMESPACE', '--namespace'],
  mongodbUri: ['MONGODB_URI', '--mongodb-uri'],
  natsUrl: ['NATS_URL', '--nats-url'],
} as const satisfies Record<keyof ConnectionFlags, readonly [string, string]>;

/** The environment with each given flag written into its variable; `FOLDWISE_CLI_FLAGS` names the flags, for messages. */
export function withConnectionFlags(env: NodeJS.ProcessEnv, flags: ConnectionFlags): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  const given: string[] = [];
  for (const [key, [variable, flag]] of Object.entries(flagVariables)) {
    const v = flags[key as keyof ConnectionFlags];
    if (v === undefined || v === '') continue;
    out[variable] = v;
    given.push(flag);
  }
  if (given.length > 0) out['FOLDWISE_CLI_FLAGS'] = given.join(',');
  return out;
}

const source = (env: NodeJS.ProcessEnv, variable: string, flag: string): string =>
  (env['FOLDWISE_CLI_FLAGS'] ?? '').split(',').includes(flag) ? flag : variable;

/**
 * The environment the CLI connects with: the process environment, with any connection variable it leaves unset
 * taken from the running local stack's env.json when there is one (its database only with its MongoDB URI).
 */
export function connectionEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const file = stackEnvFile(env);
  let fromStack: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromStack = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      fromStack = {};
    }
  }
  const out: NodeJS.ProcessEnv = { ...env };
  const set = (k: string): boolean => (env[k] ?? '') !== '';
  for (const [k, inFile] of Object.entries(StackVariables)) {
    if (k === 'FOLDWISE_MONGODB_DB' && (set('MONGODB_URI') || set('MONGODB_DB'))) continue;
    const v = fromStack[inFile];
    if (!set(k) && typeof v === 'string') out[k] = v;
  }
  return out;
}

/** The endpoints named by an environment (defaults as the SDK applies them; Temporal's from its profile too). */
export function endpointsOf(env: NodeJS.ProcessEnv): Record<Endpoint['service'], Endpoint> {
  return {
    temporal: {
      service: 'temporal',
      variable: source(env, 'TEMPORAL_ADDRESS', '--address'),
      url: temporalTarget(env).address,
    },
    mongodb: {
      service: 'mongodb',
      variable: source(env, 'MONGODB_URI', '--mongodb-uri'),
      url: env['MONGODB_URI'] || 'mongodb://127.0.0.1:27017',
    },
    nats: {
      service: 'nats',
      variable: source(env, 'NATS_URL', '--nats-url'),
      url: env['NATS_URL'] || 'nats://127.0.0.1:4222',
    },
  };
}
