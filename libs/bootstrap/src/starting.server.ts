import { createServer, type Server, type ServerResponse } from 'node:http';
import { ConveyorException, ErrorCode, mapException } from '@conveyor/http';

/**
 * What a service's HTTP port answers while it waits for its broker or database: 503 on every route, `/health` and
 * `/health/ready` with which dependency is missing (the shape of the gateway's health view, status `starting`),
 * anything else with OpenAI's error shape. Closed just before the app listens on the same port.
 */
export class StartingServer {
  private missing: readonly string[] = [];
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => this.answer(req.url ?? '/', res));
  }

  static async open(host: string, port: number): Promise<StartingServer> {
    const self = new StartingServer();
    const server = self.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return self;
  }

  private answer(url: string, res: ServerResponse): void {
    const missing = this.missing;
    const path = url.split('?')[0];
    const headers = { 'content-type': 'application/json; charset=utf-8', 'retry-after': '2', 'cache-control': 'no-store' };
    if (path === '/health' || path === '/health/ready') {
      res.writeHead(503, headers);
      const ready = (name: string) => ({ ready: !missing.includes(name) });
      res.end(JSON.stringify({ status: 'starting', broker: ready('broker'), database: ready('database'), missing }));
      return;
    }
    const code = missing.includes('broker') ? ErrorCode.BrokerUnavailable : ErrorCode.DatabaseUnavailable;
    const waiting = missing.length > 0 ? `: waiting for its ${missing.join(' and ')}` : '';
    const mapped = mapException(new ConveyorException(code, `The service is starting${waiting}. Try again shortly.`));
    res.writeHead(mapped.status, { ...headers, ...mapped.headers });
    res.end(JSON.stringify(mapped.body));
  }

  /** The dependencies still missing (empty once all answer and the app is being built). */
  report(missing: readonly string[]): void {
    this.missing = missing;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
