/** The logging the events library does; a pino logger fits as is. */
export interface EventsLogger {
  warn(detail: object, msg: string): void;
  error(detail: object, msg: string): void;
}

/** Writes warnings and errors as one JSON line each to stderr. */
export const consoleLogger: EventsLogger = {
  warn: (detail, msg) => console.warn(JSON.stringify({ level: 'warn', msg, ...detail })),
  error: (detail, msg) => console.error(JSON.stringify({ level: 'error', msg, ...detail })),
};

/** Discards everything. */
export const silentLogger: EventsLogger = { warn: () => undefined, error: () => undefined };

/** The message of an error, or the value as text. */
export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
