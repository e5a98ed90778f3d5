import { Socket } from 'node:net';

/** Process exit codes of the `foldwise` command. */
export const ExitCode = {
  Ok: 0,
  SearchFailed: 1,
  InvalidInput: 2,
  Unreachable: 3,
} as const;
/** One of the values of {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as its message alone and ends with the given exit code. */
export class CliError extends Error {
  /** The exit code to end with. */
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A service the CLI needs, with the address it was told to use. */
export interface Endpoint {
  service: 'temporal' | 'mongodb' | 'nats';
  /** The variable the address came from, for the error message. */
  variable: string;
  url: string;
}

/** `host` and `port` of `host:port`, `mongodb://[user@]host:port/…` or `nats://host:port`. */
export function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const noScheme = url.replace(/^[a-z+]+:\/\//i, '');
  const hostPart = (noScheme.split('/')[0] ?? '').split('@').pop()?.split(',')[0] ?? '';
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPart);
  if (!m)
    throw new CliError(`cannot read a host and port from ${JSON.stringify(url)}`, ExitCode.InvalidInput);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : defaultPort };
}

const defaultPorts: Record<Endpoint['service'], number> = { temporal: 7233, mongodb: 27017, nats: 4222 };

/** Whether a TCP connection to the endpoint opens within `timeoutMs`; resolves to the failure reason otherwise. */
export async function probe(endpoint: Endpoint, timeoutMs = 3000): Promise<string | undefined> {
  if (endpoint.service === 'mongodb' && endpoint.url.startsWith('mongodb+srv://')) return undefined;
  const { host, port } = hostPort(endpoint.url, defaultPorts[endpoint.service]);
  return new Promise((done) => {
    const sock = new Socket();
    const finish = (why: string | undefined): void => {
      sock.destroy();
      done(why);
    };
    sock.setTimeout(timeoutMs, () => finish(`no answer within ${timeoutMs / 1000}s`));
    sock.once('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    sock.connect(port, host, () => finish(undefined));
  });
}

/** Throws a CliError with exit code 3 naming every endpoint that does not accept connections. */
export async function requireReachable(endpoints: Endpoint[]): Promise<void> {
  const results = await Promise.all(endpoints.map(async (e) => ({ e, why: await probe(e) })));
  const down = results.filter((r) => r.why !== undefined);
  if (down.length === 0) return;
  const lines = down.map(({ e, why }) => `${e.service} unreachable at ${e.url} (${e.variable}): ${why}`);
  throw new CliError(
    `${lines.join('\n')}\nstart the local stack with \`foldwise stack up\`, or set ${down.map((d) => d.e.variable).join(', ')}`,
    ExitCode.Unreachable,
  );
}
