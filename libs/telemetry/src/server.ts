import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  registry: Registry;
  /** More exposition text appended to the registry's (e.g. the Temporal SDK's runtime metrics); a failure becomes a comment line. */
  extra?: () => Promise<string>;
}

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (the registry plus `extra`) and `GET /healthz` over plain HTTP. */
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
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok\n');
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
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
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

/** A function that fetches another Prometheus endpoint's text (for `extra`), failing after `timeoutMs`. */
export const scrapeText =
  (url: string, opts: { timeoutMs?: number } = {}): (() => Promise<string>) =>
  async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 2_000) });
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
    return res.text();
  };
