import { Agent, request } from 'node:http';

/** A keep-alive HTTP/1.1 client on node:http: less per-request work than fetch, so the load generator stays light. */
export class HttpClient {
  readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
    maxSockets = 256,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Sends a JSON body; resolves with the status and the parsed answer (never rejects on HTTP errors). */
  postJson<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T; headers: Record<string, string | string[] | undefined> }> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(`${this.baseUrl}${path}`, {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...this.headers },
      });
      req.once('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T, headers: res.headers });
        });
        res.once('error', reject);
      });
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` in flight; resolves when all have settled. */
export async function runPool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(n, concurrency) }, lane));
}
