import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What `GET /healthz` answers: healthy (200 `ok`), or not and why (503 with the reason). */
export type Health = { ok: true } | { ok: false; reason: string };

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  registry: Registry;
  /** More exposition text appended to the registry's (e.g. the Temporal SDK's runtime metrics); a failure becomes a comment line. */
  extra?: () => Promise<string>;
  /** The process's health for `/healthz` (default: always healthy); a throwing check counts as unhealthy. */
  health?: () => Health;
}

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (the registry plus `extra`) and `GET /healthz` (200 `ok`, or 503 with the reason `health`
 * gives, for Kubernetes probes) over plain HTTP.
 */
export const serveMetrics = async (opts: ServeMetricsOptions): Promise<MetricsServer> => {
  if (!(Number.isInteger(opts.port) && opts.port >= 0 && opts.port < 65536)) {
    throw new RangeError(`port must be an integer in [0, 65535] (got ${opts.port})`);
  }
  const host = opts.host ?? '127.0.0.1';
  const render = async (): Promise<string> => {
    const own = await opts.registry.metrics();
    if (!opts.extra) return own;
    let more: string;
    try {
      more = await opts.extra();
    } catch (error) {
      more = `# foldwise: extra metrics unavailable: ${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ')}\n`;
    }
    return `${own.endsWith('\n') ? own : `${own}\n`}${more.endsWith('\n') || more === '' ? more : `${more}\n`}`;
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      let health: Health;
      try {
        health = opts.health?.() ?? { ok: true };
      } catch (error) {
        health = { ok: false, reason: `health check failed: ${String(error)}` };
      }
      const headers = { 'Content-Type': 'text/plain; charset=utf-8' };
      if (health.ok) res.writeHead(200, headers).end('ok\n');
      else res.writeHead(503, headers).end(`${health.reason}\n`);
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    render().then(
      (body) => res.writeHead(200, { 'Content-Type': opts.registry.contentType }).end(body),
      (error: unknown) =>
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${String(error)}\n`),
    );
  };
  const reserved = reservations.get(reservationKey(host, opts.port));
  let server: Server;
  if (reserved) {
    reservations.delete(reservationKey(host, opts.port));
    server = reserved.adopt(handle);
  } else {
    server = createServer(handle);
    await listen(server, opts.port, host);
  }
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
};

/** A port held by {@link reserveMetricsPort} until {@link serveMetrics} serves on it. */
export interface ReservedPort {
  /** The port held (the one the system chose when 0 was asked for). */
  readonly port: number;
  /** Frees the port unless `serveMetrics` has taken it over. */
  release(): Promise<void>;
}

interface Reservation {
  adopt(handle: (req: IncomingMessage, res: ServerResponse) => void): Server;
}

const reservations = new Map<string, Reservation>();
const reservationKey = (host: string, port: number): string => `${host}|${port}`;

const listen = (server: Server, port: number, host: string): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

/**
 * Binds `host:port` now and holds it (answering 503 until then) for the next {@link serveMetrics} call of this process
 * on the same host and port, which takes the bound socket over instead of binding again: a process can claim its
 * metrics port before the slow work that precedes serving, and no other process can take it in between. Rejects with
 * the listen error (`EADDRINUSE` when the port is taken).
 */
export const reserveMetricsPort = async (opts: { port: number; host?: string }): Promise<ReservedPort> => {
  const host = opts.host ?? '127.0.0.1';
  let handler = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' }).end('starting\n');
  };
  const server = createServer((req, res) => handler(req, res));
  await listen(server, opts.port, host);
  const { port } = server.address() as AddressInfo;
  const key = reservationKey(host, port);
  reservations.set(key, {
    adopt: (handle) => {
      handler = handle;
      return server;
    },
  });
  return {
    port,
    release: async () => {
      if (!reservations.delete(key)) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** A function that fetches another Prometheus endpoint's text (for `extra`), failing after `timeoutMs`. */
export const scrapeText =
  (url: string, opts: { timeoutMs?: number } = {}): (() => Promise<string>) =>
  async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 2_000) });
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
    return res.text();
  };
