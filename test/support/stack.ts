import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- infra/local is tooling, not a workspace package
import { type StackEnv, stackEnvSchema } from '../../infra/local';

// eslint-disable-next-line @nx/enforce-module-boundaries -- as above: tests drive the local stack
export {
  SearchAttribute,
  ServiceName,
  down,
  searchAttributeTypes,
  startService,
  status,
  stopService,
  up,
  type StackEnv,
} from '../../infra/local';

const keys = Object.keys(stackEnvSchema.shape) as Array<keyof StackEnv>;

/**
 * Connection settings of the running local stack: env.json (at FOLDWISE_STACK_ENV, else .cache/stack/env.json),
 * each value overridden by the process environment variable of the same name.
 */
export function stackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  const file = env.FOLDWISE_STACK_ENV || resolve(__dirname, '..', '..', '.cache', 'stack', 'env.json');
  const fromFile: Record<string, unknown> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    : {};
  const merged: Record<string, unknown> = { ...fromFile };
  for (const k of keys) {
    const v = env[k];
    if (v !== undefined && v !== '') merged[k] = v;
  }
  const parsed = stackEnvSchema.safeParse(merged);
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(
      existsSync(file)
        ? `${file}: invalid stack environment (${missing}); run npm run stack:up`
        : `no local stack environment at ${file} (missing ${missing}); run npm run stack:up`,
    );
  }
  return parsed.data;
}
