import { EventSource } from 'eventsource';
import { Client } from 'pg';
import { Api } from '../support/http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { openSse, reassemble } from '../support/sse-client.util';
import { deleteVhost, recreateVhost, runVhostName } from '../support/vhost.util';

/** This file's own vhost, fresh for the run: nothing another run or file left behind is consumed here. */
const VHOST = runVhostName('e2e_streaming');
let brokerUrl = '';
const KEY = 'tok-e2e-streaming';

/**
 * `GET /v1/jobs/{id}/stream` on two streaming replicas, over the real RabbitMQ and PostgreSQL: whenever a client
 * subscribes, and however it resumes, the text it reassembles equals the stored result byte for byte.
 */
describe('streaming service (SSE) over RabbitMQ and PostgreSQL', () => {
  const started: ServiceProcess[] = [];
  let api: Api;
  let streams: string[];

  beforeAll(async () => {
    brokerUrl = await recreateVhost(VHOST);
    const [port, s1, s2] = await Promise.all([freePort(), freePort(), freePort()]);
    const env = {
      BROKER_URL: brokerUrl,
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      HOST: '127.0.0.1',
      PORT: String(port),
      API_KEYS: `${KEY}:tenant-e2e-streaming,tok-e2e-streaming-other:tenant-e2e-other`,
    };
    const start = async (app: 'gateway' | 'inference' | 'persistence' | 'streaming', extra: Record<string, string> = {}, name?: string) => {
      const service = ServiceProcess.start(app, { ...env, ...extra }, name);
      started.push(service);
      await service.waitForLog(/listening on|running \d+ job|consuming/);
    };
    await start('persistence');
    await start('gateway');
    await start('streaming', { STREAMING_PORT: String(s1) }, 'streaming-1');
    await start('streaming', { STREAMING_PORT: String(s2) }, 'streaming-2');
    await start('inference', {
      WORKER_CONCURRENCY: '4',
      SIMULATED_TTFT_MS: '300',
      SIMULATED_TOKENS_PER_SECOND: '40',
      SIMULATED_MIN_TOKENS: '30',
      SIMULATED_MAX_TOKENS: '40',
    });
    api = new Api(`http://127.0.0.1:${port}`, KEY);
    streams = [`http://127.0.0.1:${s1}`, `http://127.0.0.1:${s2}`];
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await deleteVhost(VHOST);
  });

  const submit = async (content: string): Promise<string> => {
    const res = await api.post('/v1/chat/completions', { messages: [{ role: 'user', content }] });
    expect(res.status).toBe(202);
    return res.body.job_id;
  };
  const storedText = async (id: string): Promise<string> => (await api.waitForJob(id)).result.choices[0].message.content;
  const auth = { authorization: `Bearer ${KEY}` };

  it('a subscriber that arrives before the job starts gets every chunk once, then completed, on either replica', async () => {
    const id = await submit('stream me from the start');
    const [a, b] = await Promise.all(streams.map((base) => openSse(`${base}/v1/jobs/${id}/stream`, auth)));
    await Promise.all([a!.done, b!.done]);
    const text = await storedText(id);
    for (const s of [a!, b!]) {
      expect(s.status).toBe(200);
      expect(reassemble(s.events)).toBe(text);
      expect(s.events.at(-1)!.event).toBe('completed');
      expect(s.events.filter((e) => e.event === 'completed')).toHaveLength(1);
    }
  });

  it('a subscriber that arrives after completion gets the whole text and the end', async () => {
    const id = await submit('stream me afterwards');
    const text = await storedText(id);
    const s = await openSse(`${streams[1]}/v1/jobs/${id}/stream?api_key=${KEY}`);
    await s.done;
    expect(reassemble(s.events)).toBe(text);
    expect(s.events.at(-1)!.event).toBe('completed');
  });

  it('a client that resumes after the end went by, while the row still reads running, gets the end once persistence applies it', async () => {
    // The race behind stalled resumes: the replica relayed `completed` to the old connection and unbound, the client
    // resumed before persistence applied the event, so the row read after the new binding says running and no
    // event will ever come again. Reproduced exactly: the row is put back to running, then restored once open.
    const id = await submit('end me before my resume');
    const text = await storedText(id);
    const db = new Client({ connectionString: process.env.TEST_DATABASE_URL! });
    await db.connect();
    try {
      await db.query(`UPDATE jobs SET status = 'running' WHERE id = $1`, [id]);
      const held = Math.floor(text.length / 2);
      const resumed = await openSse(`${streams[0]}/v1/jobs/${id}/stream`, { ...auth, 'last-event-id': `a1:${held}` });
      expect(resumed.status).toBe(200);
      await db.query(`UPDATE jobs SET status = 'completed' WHERE id = $1`, [id]);
      await resumed.done;
      expect(reassemble(resumed.events, text.slice(0, held))).toBe(text);
      expect(resumed.events.at(-1)!.event).toBe('completed');
    } finally {
      await db.end();
    }
  });

  it('a client cut mid-stream resumes with Last-Event-ID on the other replica: no gap, no repeat', async () => {
    const id = await submit('cut me off and let me resume');
    const cutAt = 2 + Math.floor(Math.random() * 4);
    const first = await openSse(`${streams[0]}/v1/jobs/${id}/stream`, auth, (events) => events.filter((e) => e.event === 'delta').length >= cutAt);
    await first.done;
    const lastId = first.events.at(-1)!.id!;
    const second = await openSse(`${streams[1]}/v1/jobs/${id}/stream`, { ...auth, 'last-event-id': lastId });
    await second.done;
    const text = await storedText(id);
    expect(reassemble(second.events, reassemble(first.events))).toBe(text);
    expect(second.events.at(-1)!.event).toBe('completed');
  });

  it('answers 404 for another tenant and 401 without a key', async () => {
    const id = await submit('mine alone');
    const other = await openSse(`${streams[0]}/v1/jobs/${id}/stream`, { authorization: 'Bearer tok-e2e-streaming-other' });
    expect(other.status).toBe(404);
    const none = await openSse(`${streams[0]}/v1/jobs/${id}/stream`);
    expect(none.status).toBe(401);
    await storedText(id);
  });
  it('works with the eventsource package: key in the query, and a connection cut mid-stream resumes by itself', async () => {
    const id = await submit('an EventSource reader whose connection drops');
    // The first connection is cut after a few kilobytes-worth of reads; EventSource reconnects with Last-Event-ID.
    let connections = 0;
    const cuttingFetch: typeof fetch = async (input, init) => {
      connections += 1;
      const res = await fetch(input, init);
      if (connections > 1 || !res.body) return res;
      const reader = res.body.getReader();
      let reads = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done || (reads += 1) > 3) {
            await reader.cancel().catch(() => undefined);
            return controller.error(new TypeError('connection reset'));
          }
          controller.enqueue(value);
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const ids: string[] = [];
    const perConnection = new Map<number, number>();
    const text = await new Promise<string>((resolve, reject) => {
      let received = '';
      const es = new EventSource(`${streams[0]}/v1/jobs/${id}/stream?api_key=${KEY}`, { fetch: cuttingFetch });
      es.addEventListener('restart', () => (received = ''));
      es.addEventListener('delta', (e) => {
        ids.push(e.lastEventId);
        perConnection.set(connections, (perConnection.get(connections) ?? 0) + 1);
        received += (JSON.parse(e.data) as { content: string }).content;
      });
      es.addEventListener('completed', () => {
        es.close();
        resolve(received);
      });
      es.addEventListener('failed', () => reject(new Error('job failed')));
    });
    expect(connections).toBeGreaterThan(1);
    expect(perConnection.get(1)).toBeGreaterThan(0); // the cut came mid-stream: text before it and after it
    expect([...perConnection.keys()].some((c) => c > 1)).toBe(true);
    expect(text).toBe(await storedText(id));
    expect(new Set(ids).size).toBe(ids.length); // no chunk delivered twice
  });
  it('releases the binding and the watcher of a client that leaves mid-stream, while the job goes on', async () => {
    const id = await submit('a reader who walks away');
    const cut = await openSse(`${streams[0]}/v1/jobs/${id}/stream`, auth, (events) => events.some((e) => e.event === 'delta'));
    await cut.done;
    const deadline = Date.now() + 10_000;
    let health: unknown;
    do {
      health = await (await fetch(`${streams[0]}/health`)).json();
      if ((health as { watched_jobs: number }).watched_jobs === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    } while (Date.now() < deadline);
    expect(health).toEqual({ status: 'ok', watched_jobs: 0, watchers: 0 });
    // Released by the client leaving, not by the job ending (which would release it too).
    expect((await api.get(`/v1/jobs/${id}/status`)).body.status).toBe('running');
    expect((await api.waitForJob(id)).status).toBe('completed');
  });
});
