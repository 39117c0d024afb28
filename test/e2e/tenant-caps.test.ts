import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Api, type HttpResult } from '../support/http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { deleteVhost, recreateVhost, runVhostName } from '../support/vhost.util';

const VHOST = runVhostName('e2e_caps');
const CAP = 3;
const LEASE_TTL_MS = 3_000;
/** One key per test, so each test's tenant starts with nothing held. */
const KEYS = { endpoints: 'tok-caps-endpoints', replays: 'tok-caps-replays', streams: 'tok-caps-streams', crash: 'tok-caps-crash' } as const;

/** An SSE response held open until `close`. */
interface HeldStream {
  status: number;
  headers: Headers;
  body: string;
  close(): void;
}

/** Every stream a test opened: closed after each test, whether it passed or not. */
const opened: AbortController[] = [];

async function openStream(url: string, init: RequestInit = {}): Promise<HeldStream> {
  const controller = new AbortController();
  opened.push(controller);
  const res = await fetch(url, { ...init, signal: controller.signal });
  const body = res.headers.get('content-type')?.startsWith('text/event-stream') ? '' : await res.text();
  return { status: res.status, headers: res.headers, body, close: () => controller.abort() };
}

/** SIGTERM, then SIGKILL if the process has not exited within 10 s. */
async function stopOrKill(service: ServiceProcess): Promise<void> {
  const timer = setTimeout(() => void service.kill(), 10_000);
  await service.stop();
  clearTimeout(timer);
}

const expectCapped = (res: { status: number; headers: Headers; body: any }) => {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  const body = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
  expect(body).toEqual({ error: { message: expect.any(String), type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
};

/**
 * The per-tenant caps hold across replicas: two gateway processes over one PostgreSQL database and one RabbitMQ
 * vhost, each request going to either. No worker runs, so submitted jobs stay queued and their streams stay open.
 */
describe('per-tenant caps across two gateway replicas (RabbitMQ and PostgreSQL)', () => {
  const started: ServiceProcess[] = [];
  let env: Record<string, string>;
  let a: string;
  let b: string;
  let db: Client;

  const startGateway = async (name: string): Promise<string> => {
    const port = await freePort();
    const gateway = ServiceProcess.start('gateway', { ...env, PORT: String(port) }, name);
    started.push(gateway);
    await gateway.waitForLog(/listening on/, 60_000);
    return `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    env = {
      BROKER_URL: await recreateVhost(VHOST),
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      DATABASE_MIGRATE: 'false',
      HOST: '127.0.0.1',
      API_KEYS: Object.entries(KEYS)
        .map(([name, key]) => `${key}:tenant-caps-${name}-${process.pid}`)
        .join(','),
      WEBHOOK_MAX_ENDPOINTS_PER_TENANT: String(CAP),
      WEBHOOK_REPLAYS_PER_MINUTE: String(CAP),
      STREAMS_PER_TENANT: String(CAP),
      STREAM_LEASE_TTL_MS: String(LEASE_TTL_MS),
      STREAM_HEARTBEAT_MS: '500',
      // Registration only: no notification service runs, so nothing is ever sent to these loopback URLs.
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    };
    [a, b] = [await startGateway('gateway-a'), await startGateway('gateway-b')];
    db = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
  });

  afterEach(() => opened.splice(0).forEach((c) => c.abort()));

  afterAll(async () => {
    await Promise.all(started.map((s) => stopOrKill(s)));
    await db?.end();
    await deleteVhost(VHOST);
  });

  it('webhook endpoints: registrations racing on both replicas stop exactly at the cap', async () => {
    const apis = [new Api(a, KEYS.endpoints), new Api(b, KEYS.endpoints)];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => apis[i % 2]!.post('/v1/webhooks', { url: `http://127.0.0.1:9/${i}`, description: `#${i}` })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(CAP);
    for (const refused of results.filter((r) => r.status !== 201)) expectCapped(refused);
    expect((await apis[1]!.get('/v1/webhooks')).body.data).toHaveLength(CAP);
    // Deleting one frees a slot, on either replica.
    const [first] = (await apis[0]!.get('/v1/webhooks')).body.data;
    expect((await apis[0]!.request('DELETE', `/v1/webhooks/${first.id}`)).status).toBe(200);
    expect((await apis[1]!.post('/v1/webhooks', { url: 'http://127.0.0.1:9/again' })).status).toBe(201);
    expectCapped(await apis[0]!.post('/v1/webhooks', { url: 'http://127.0.0.1:9/over' }));
  });

  it('manual replays: at most the cap per minute per tenant, counted across both replicas', async () => {
    const apis = [new Api(a, KEYS.replays), new Api(b, KEYS.replays)];
    const endpoint = await apis[0]!.post('/v1/webhooks', { url: 'http://127.0.0.1:9/replays' });
    expect(endpoint.status).toBe(201);
    const tenant = `tenant-caps-replays-${process.pid}`;
    const deliveryId = randomUUID();
    // A delivery that died, as the notification service would have left it.
    await db.query(
      `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, target, job_id, event_type, webhook_id, payload, status, attempts, dead_reason)
       VALUES ($1, $2, $3::uuid, $3::text, $4, 'job.completed', 'msg_test', '{}', 'dead', 6, 'retries_exhausted')`,
      [deliveryId, tenant, endpoint.body.id, randomUUID()],
    );
    const replay = (i: number): Promise<HttpResult> => apis[i % 2]!.post(`/v1/webhooks/${endpoint.body.id}/deliveries/${deliveryId}/retry`);
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => replay(i)));
    const accepted = results.filter((r) => r.status === 202);
    // The window is a calendar minute: a run that straddles its end may admit up to the cap once more.
    expect(accepted.length).toBeGreaterThanOrEqual(CAP);
    expect(accepted.length).toBeLessThanOrEqual(2 * CAP);
    const refused = results.filter((r) => r.status !== 202);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expectCapped(r);
      expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
  });

  it('concurrent streams: job streams and stream: true answers on both replicas share one cap; leases outlive their TTL while renewed', async () => {
    const api = new Api(a, KEYS.streams);
    const job = await api.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'queued, never run' }] });
    expect(job.status).toBe(202);
    const auth = { headers: { authorization: `Bearer ${KEYS.streams}` } };
    const stream = (base: string) => openStream(`${base}/v1/jobs/${job.body.job_id}/stream`, auth);
    const held = [await stream(a), await stream(b), await stream(a)];
    expect(held.map((s) => s.status)).toEqual([200, 200, 200]);
    expectCapped(await stream(b));
    expectCapped(await stream(a));
    const before = await new Api(b, KEYS.streams).get('/v1/jobs');
    const sync = await openStream(`${b}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'stream me' }], stream: true }),
    });
    expectCapped(sync);
    // Refused before anything was stored: no job was created for it.
    expect((await new Api(b, KEYS.streams).get('/v1/jobs')).body.data).toHaveLength(before.body.data.length);

    // Held past the lease TTL: the replicas renew their leases, so the cap still holds.
    await new Promise((r) => setTimeout(r, LEASE_TTL_MS + 1_000));
    expectCapped(await stream(b));

    // Closing one frees its slot for either replica.
    held.shift()!.close();
    const deadline = Date.now() + 5_000;
    let next = await stream(b);
    while (next.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      next = await stream(b);
    }
    expect(next.status).toBe(200);
    for (const s of [...held, next]) s.close();
  });

  it("a replica that dies takes its streams' slots with it once their leases expire", async () => {
    const doomedUrl = await startGateway('gateway-doomed');
    const doomed = started.at(-1)!;
    const job = await new Api(a, KEYS.crash).post('/v1/chat/completions', { messages: [{ role: 'user', content: 'queued, never run' }] });
    const stream = (base: string) => openStream(`${base}/v1/jobs/${job.body.job_id}/stream`, { headers: { authorization: `Bearer ${KEYS.crash}` } });
    const held = await Promise.all([stream(doomedUrl), stream(doomedUrl), stream(doomedUrl)]);
    expect(held.map((s) => s.status)).toEqual([200, 200, 200]);
    expectCapped(await stream(b));

    await doomed.kill(); // SIGKILL: no shutdown hook releases anything
    const killedAt = Date.now();
    expectCapped(await stream(b));
    let next = await stream(b);
    while (next.status !== 200 && Date.now() - killedAt < LEASE_TTL_MS + 5_000) {
      await new Promise((r) => setTimeout(r, 200));
      next = await stream(b);
    }
    expect(next.status).toBe(200);
    expect(Date.now() - killedAt).toBeLessThan(LEASE_TTL_MS + 5_000);
    next.close();
    for (const s of held) s.close();
  });
});
