import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the upstream saw it, for asserting how an adapter maps Conveyor's request. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** True once the client went away before the response was complete (an abort, as the upstream observes it). */
  clientDisconnected: boolean;
}

/**
 * How the mock answers one request. Replies in reply.util.ts cover streams, errors and faults; a reply that answers
 * what was asked (the embeddings fixtures) reads the recorded request, its body already parsed.
 */
export type Reply = (res: ServerResponse, req: IncomingMessage, recorded: RecordedRequest) => void | Promise<void>;

/**
 * A wire-level stand-in for an LLM provider: a plain Node HTTP server on a free port that answers each request
 * with the next scripted reply (the last one repeats) and records what it received, including whether the client
 * hung up mid-response — which is how the tests see an abort reach the upstream.
 */
export class MockUpstream {
  readonly requests: RecordedRequest[] = [];
  private readonly replies: Reply[] = [];
  private readonly disconnectWaiters: Array<(request: RecordedRequest) => void> = [];

  private constructor(private readonly server: Server) {}

  static async start(...replies: Reply[]): Promise<MockUpstream> {
    const mock = new MockUpstream(createServer((req, res) => void mock.handle(req, res)));
    mock.replies.push(...replies);
    await new Promise<void>((resolve) => mock.server.listen(0, '127.0.0.1', resolve));
    return mock;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The only request received; fails loudly if there were more or none. */
  get request(): RecordedRequest {
    if (this.requests.length !== 1) throw new Error(`expected exactly one upstream request, got ${this.requests.length}`);
    return this.requests[0]!;
  }

  /** Resolves with the request whose client hung up before its response ended. */
  clientDisconnect(): Promise<RecordedRequest> {
    const gone = this.requests.find((r) => r.clientDisconnected);
    if (gone) return Promise.resolve(gone);
    return new Promise((resolve) => this.disconnectWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      clientDisconnected: false,
    };
    this.requests.push(recorded);
    res.on('close', () => {
      if (res.writableFinished) return;
      recorded.clientDisconnected = true;
      this.disconnectWaiters.splice(0).forEach((resolve) => resolve(recorded));
    });
    const reply = this.replies.length > 1 ? this.replies.shift()! : this.replies[0];
    if (!reply) throw new Error('MockUpstream has no reply scripted');
    await reply(res, req, recorded);
  }
}
