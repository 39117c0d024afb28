/** A tiny JSON client over Node's fetch (undici): a real HTTP client against a running server. */
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    private readonly key?: string,
  ) {}

  as(key: string | undefined): Api {
    return new Api(this.baseUrl, key);
  }

  get<T = any>(path: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('POST', path, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json', ...headers });
  }

  async request<T = any>(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      body,
      headers: { ...(this.key ? { authorization: `Bearer ${this.key}` } : {}), ...headers },
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep the raw text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  /** Polls a job until it reaches one of `statuses` (each poll is a real request; the job's state is the event). */
  async waitForJob(jobId: string, statuses: string[] = ['completed', 'failed', 'cancelled'], timeoutMs = 60_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.get(`/v1/jobs/${jobId}`);
      if (res.status !== 200) throw new Error(`GET /v1/jobs/${jobId} answered ${res.status}: ${JSON.stringify(res.body)}`);
      if (statuses.includes(res.body.status)) return res.body;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${res.body.status} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export const SEED_BODY = { messages: [{ role: 'user', content: 'Hello' }] };
