import type { stackVariablesSchema } from './config';

/** What each variable of the local stack means; the variables table is generated from the schema and these lines. */
export const stackVariableDocs: Record<keyof typeof stackVariablesSchema.shape, string> = {
  FOLDWISE_TEMPORAL_PORT: 'port of the Temporal dev server (default 7233)',
  FOLDWISE_TEMPORAL_UI_PORT: 'port of the Temporal Web UI (default 8233)',
  FOLDWISE_MONGO_PORT: 'port of FerretDB (default 27017)',
  FOLDWISE_NATS_PORT:
    'run an own NATS on this port (default: reuse one on 4222 that answers, else own on 4223)',
  NATS_URL: 'reuse this NATS server (fail if it does not answer) instead of running one',
};
