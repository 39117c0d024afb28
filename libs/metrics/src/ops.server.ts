import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRegistry } from './metrics.registry';
import { withTimeout, type DependencyProbes } from './scrape-gauges';

/** The ops listener of a process: where it is, and how to close it. */
export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A small HTTP listener for operators and orchestrators, on its own port (METRICS_PORT): `GET /metrics` (Prometheus
 * text) and the same health answers the gateway gives, `GET /health` (200 while the process runs, with the
 * broker's and the database's state) and `GET /health/ready` (503 until both are ready). The services that serve no
 * HTTP (inference, persistence, notification) have no other way to be scraped or probed. Plain node:http: nothing
 * here is public API, and nothing of the API's stack (auth, rate limits, CORS) applies.
 */
export async function startOpsServer(options: { host: string; port: number; metrics: MetricsRegistry; probes: DependencyProbes }): Promise<OpsServer> {
  const { metrics, probes } = options;
  const health = async () => {
    const database = await withTimeout(probes.pingDatabase()).then(
      () => true,
      () => false,
    );
    const broker = probes.brokerReady();
    return { status: broker && database ? 'ok' : 'degraded', broker: { ready: broker }, database: { ready: database } };
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'text/plain; charset=utf-8', 'method not allowed\n');
    const handle = async () => {
      if (path === '/metrics') return answer(200, metrics.contentType, await metrics.scrape());
      if (path === '/health' || path === '/health/ready') {
        const view = await health();
        return answer(path === '/health' || view.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(view));
      }
      answer(404, 'text/plain; charset=utf-8', 'not found: this port serves /metrics, /health and /health/ready\n');
    };
    handle().catch((err: Error) => answer(500, 'text/plain; charset=utf-8', `${err.message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
