import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** How the receiver answers one request: a status (with headers), or `hang` (never answer). */
export type ReceiverAnswer = { status: number; headers?: Record<string, string> } | 'hang';

export interface ReceivedWebhook {
  /** The request's path, which tells the endpoint (and so the secret) it was meant for. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request whose Standard Webhooks signature did not verify, and why. */
export interface UnverifiedWebhook {
  path: string;
  webhookId: string | undefined;
  why: string;
}

/**
 * A real HTTP webhook receiver on 127.0.0.1 (port 0). It answers requests in the scripted order, then 200 to
 * anything after, and records every request it got, so tests assert on what actually crossed the wire. Each
 * endpoint's secret is given with `trust`; `unverified` checks every request received with the reference library
 * (`standardwebhooks`), on the raw body, as a receiver must.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly secrets = new Map<string, string>();
  /** Verdicts taken on arrival (the signature's timestamp is checked against the clock, so not later). */
  private readonly verdicts = new Map<ReceivedWebhook, string | null>();
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
      const path = new URL(req.url ?? '/', 'http://receiver').pathname;
      req.on('end', () => receiver.answer({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }, res));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Another endpoint on this receiver (`/hook/<name>`), for an endpoint with a secret of its own. */
  urlFor(name: string): string {
    return `${this.url}/${encodeURIComponent(name)}`;
  }

  /** Requests to `url` (by its path) must carry a Standard Webhooks signature made with `secret` (`whsec_…`). */
  trust(secret: string, url: string = this.url): this {
    this.secrets.set(new URL(url).pathname, secret);
    return this;
  }

  /**
   * Every request received so far whose signature does not verify with its endpoint's secret (or whose endpoint
   * has none), checked now with `standardwebhooks` on the raw body and headers: [] when every delivery was signed.
   */
  unverified(): UnverifiedWebhook[] {
    return this.received.flatMap((r) => {
      const why = this.verdicts.get(r) ?? this.verify(r);
      return why === null ? [] : [{ path: r.path, webhookId: single(r.headers['webhook-id']), why }];
    });
  }

  /** null when the request's signature verifies with its path's secret; else why not. */
  private verify(r: ReceivedWebhook): string | null {
    const secret = this.secrets.get(r.path);
    if (!secret) return 'no secret trusted for this path';
    const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, single(v) ?? '']));
    try {
      new Webhook(secret).verify(r.body, headers);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
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
    if (this.secrets.has(request.path)) this.verdicts.set(request, this.verify(request));
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

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
