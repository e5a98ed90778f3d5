import pino from 'pino';

/** Structured JSON logs on stderr; credentials never appear (URIs are redacted before logging). */
export function createLogger(
  level = process.env['FOLDWISE_LOG_LEVEL'] || process.env['LOG_LEVEL'] || 'info',
) {
  return pino({ level, base: { svc: 'foldwise-worker' } }, pino.destination(2));
}

/** A URI with any password replaced, safe to log. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}

/** The logger type. */
export type Logger = ReturnType<typeof createLogger>;
