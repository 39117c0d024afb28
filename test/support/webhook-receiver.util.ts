import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the receiver answers one request: a status (with headers), or `hang` (never answer). */
export type ReceiverAnswer = { status: number; headers?: Record<string, string> } | 'hang';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP webhook receiver on 127.0.0.1 (port 0). It answers requests in the scripted order, then 200 to
 * anything after, and records every request it got, so tests assert on what actually crossed the wire.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly hung: ServerResponse[] = [];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    private readonly script: ReceiverAnswer[],
  ) {}

  /** `port` 0 picks a free one; a fixed port lets a test bring a receiver back where it was down. */
  static async start(script: ReceiverAnswer[] = [], port = 0): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, [...script]);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => receiver.answer({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }, res));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Resolves once `count` requests have arrived. */
  async waitFor(count: number, timeoutMs = 20_000): Promise<ReceivedWebhook[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`receiver got ${this.received.length} of ${count} requests`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
    return this.received.slice(0, count);
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: ReceivedWebhook, res: ServerResponse): void {
    this.received.push(request);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    const next = this.script.shift() ?? { status: 200 };
    if (next === 'hang') {
      this.hung.push(res);
      return;
    }
    res.writeHead(next.status, next.headers).end();
  }
}
