import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Endpoint } from './errors';

/** Connection variables the CLI and the worker read. */
export const ConnectionVariables = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'MONGODB_URI',
  'MONGODB_DB',
  'NATS_URL',
] as const;

/** The repository root (where `.cache/stack/env.json` lives). */
export const repoRoot = resolve(__dirname, '..', '..', '..');

/** The local stack's env.json: FOLDWISE_STACK_ENV, else `.cache/stack/env.json` under the repository root. */
export const stackEnvFile = (env: NodeJS.ProcessEnv = process.env): string =>
  env['FOLDWISE_STACK_ENV'] || resolve(repoRoot, '.cache', 'stack', 'env.json');

/**
 * The environment the CLI connects with: the process environment, with any connection variable it leaves unset
 * taken from the running local stack's env.json when there is one.
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
  for (const k of [...ConnectionVariables, 'TEMPORAL_UI_URL']) {
    const v = fromStack[k];
    if ((out[k] === undefined || out[k] === '') && typeof v === 'string') out[k] = v;
  }
  return out;
}

/** The endpoints named by an environment (defaults as the SDK applies them). */
export function endpointsOf(env: NodeJS.ProcessEnv): Record<Endpoint['service'], Endpoint> {
  return {
    temporal: {
      service: 'temporal',
      variable: 'TEMPORAL_ADDRESS',
      url: env['TEMPORAL_ADDRESS'] || '127.0.0.1:7233',
    },
    mongodb: {
      service: 'mongodb',
      variable: 'MONGODB_URI',
      url: env['MONGODB_URI'] || 'mongodb://127.0.0.1:27017',
    },
    nats: { service: 'nats', variable: 'NATS_URL', url: env['NATS_URL'] || 'nats://127.0.0.1:4222' },
  };
}
