import { Webhook } from 'standardwebhooks';
import { SEED_BODY, type Api } from '../../support/http.util';
import { WebhookReceiver, type ReceiverAnswer } from '../../support/webhook-receiver.util';
import { freePort } from '../../support/service-process.util';
import { WebhookSystem } from '../../support/webhook-system.util';

const ALICE = 'tok-webhooks-alice';
const TENANT = 'tenant-webhooks-alice';

/** Waits until the endpoint's newest delivery reaches one of `statuses`; answers it. */
async function settledDelivery(api: Api, endpointId: string, statuses = ['succeeded', 'dead']): Promise<any> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [delivery] = (await api.get(`/v1/webhooks/${endpointId}/deliveries`)).body.data;
    if (delivery && statuses.includes(delivery.status)) return delivery;
    if (Date.now() > deadline) throw new Error(`delivery still ${delivery?.status ?? 'absent'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Delivery through the notification service to real receivers: signatures, retries, 410, timeouts, redirects. The
 * services run on the real RabbitMQ; every request a receiver gets is verified with `standardwebhooks`.
 */
describe('webhook delivery (RabbitMQ, real PostgreSQL)', () => {
  let system: WebhookSystem;
  let api: Api;
  const receivers: WebhookReceiver[] = [];

  const receiver = async (...script: ReceiverAnswer[]) => {
    const r = await WebhookReceiver.start(script);
    receivers.push(r);
    return r;
  };
  /** Registers an endpoint; the receiver behind `url` (if any) will verify every request with its secret. */
  const register = async (url: string, eventTypes?: string[]) => {
    const res = await api.post('/v1/webhooks', { url, ...(eventTypes ? { event_types: eventTypes } : {}) });
    expect(res.status).toBe(201);
    receivers.find((r) => r.url === url)?.trust(res.body.secret, url);
    return res.body as { id: string; secret: string };
  };
  const submitAndComplete = async () => {
    const job = await api.post('/v1/chat/completions', SEED_BODY);
    expect(job.status).toBe(202);
    await system.complete(job.body.job_id, TENANT);
    return job.body.job_id as string;
  };

  beforeAll(async () => {
    system = await WebhookSystem.start('webhook_delivery', {
      API_KEYS: `${ALICE}:${TENANT}`,
      WEBHOOK_RETRY_SCHEDULE_MS: '1000,1000,1000',
      WEBHOOK_TIMEOUT_MS: '300',
    });
    api = system.api(ALICE);
  });

  afterEach(async () => {
    // Each test's endpoints go, so later tests' jobs fan out only to their own receivers.
    for (const e of (await api.get('/v1/webhooks')).body.data) await api.request('DELETE', `/v1/webhooks/${e.id}`);
    const stopped = receivers.splice(0);
    for (const r of stopped) await r.stop();
    // Every request any receiver got was signed with its endpoint's (or callback's) current secret.
    expect(stopped.flatMap((r) => r.unverified())).toEqual([]);
  });

  afterAll(() => system?.stop());

  it('delivers a signed job.completed with the job and its result, verified by the reference library', async () => {
    const target = await receiver();
    const endpoint = await register(target.url);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const jobId = await submitAndComplete();

    const [hook] = await target.waitFor(1);
    const verified = new Webhook(endpoint.secret).verify(hook!.body, hook!.headers as Record<string, string>) as any;
    expect(verified).toMatchObject({ id: hook!.headers['webhook-id'], type: 'job.completed', data: { job_id: jobId, status: 'completed' } });
    expect(verified.data.result.choices[0].message.content).toBe('Hi there.');
    const tampered = hook!.body.replace('Hi there.', 'Hi there!');
    expect(() => new Webhook(endpoint.secret).verify(tampered, hook!.headers as Record<string, string>)).toThrow();

    const delivery = await settledDelivery(api, endpoint.id);
    expect(delivery).toMatchObject({ status: 'succeeded', job_id: jobId, event_type: 'job.completed', attempt_count: 1, next_attempt_at: null });
    expect(delivery.attempts[0]).toMatchObject({ attempt: 1, status_code: 200, error: null });
    expect(typeof delivery.attempts[0].latency_ms).toBe('number');
  });

  it('retries 500 three times, then succeeds: one webhook-id, a fresh timestamp and signature each time', async () => {
    const target = await receiver({ status: 500 }, { status: 500 }, { status: 500 });
    const endpoint = await register(target.url);
    await submitAndComplete();

    const hooks = await target.waitFor(4);
    expect(new Set(hooks.map((h) => h.headers['webhook-id'])).size).toBe(1);
    expect(new Set(hooks.map((h) => h.headers['webhook-timestamp'])).size).toBe(4);
    expect(new Set(hooks.map((h) => h.headers['webhook-signature'])).size).toBe(4);
    for (const h of hooks) expect(() => new Webhook(endpoint.secret).verify(h.body, h.headers as Record<string, string>)).not.toThrow();
    const delivery = await settledDelivery(api, endpoint.id);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 500, 200]);
  });

  it('stops on 410: the delivery ends, the endpoint is disabled and gets nothing more until re-enabled', async () => {
    const gone = await receiver({ status: 410 });
    const healthy = await receiver();
    const goneEndpoint = await register(gone.url);
    await register(healthy.url);
    await submitAndComplete();
    expect(await settledDelivery(api, goneEndpoint.id)).toMatchObject({ status: 'dead', attempt_count: 1 });
    expect((await api.get(`/v1/webhooks/${goneEndpoint.id}`)).body).toMatchObject({ enabled: false });

    await submitAndComplete();
    await healthy.waitFor(2);
    expect(gone.received).toHaveLength(1);
    expect((await api.get(`/v1/webhooks/${goneEndpoint.id}/deliveries`)).body.data).toHaveLength(1);

    const enabled = await api.post(`/v1/webhooks/${goneEndpoint.id}/enable`);
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null });
    const jobId = await submitAndComplete();
    const [, back] = await gone.waitFor(2);
    expect(JSON.parse(back!.body).data.job_id).toBe(jobId);
  });

  it('times out a hung receiver and retries', async () => {
    const target = await receiver('hang');
    const endpoint = await register(target.url);
    await submitAndComplete();
    const delivery = await settledDelivery(api, endpoint.id);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.attempts[0]).toMatchObject({ status_code: null, error: 'timeout' });
    expect(delivery.attempts[1]).toMatchObject({ status_code: 200 });
  });

  it('records a refused connection by its class only: neither the address nor the port reaches the history', async () => {
    const port = await freePort();
    const endpoint = await register(`http://127.0.0.1:${port}/hook`);
    await submitAndComplete();
    const delivery = await settledDelivery(api, endpoint.id, ['dead']);
    expect(delivery.attempts.length).toBeGreaterThan(1);
    for (const attempt of delivery.attempts) expect(attempt).toMatchObject({ status_code: null, error: 'connection_failed' });
    expect(delivery.dead_reason).toBe(`retries_exhausted after ${delivery.attempts.length} attempts: connection_failed`);
    expect(JSON.stringify(delivery)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it('does not follow a 302: it counts as a failure and the redirect target gets nothing', async () => {
    const elsewhere = await receiver();
    const target = await receiver({ status: 302, headers: { location: elsewhere.url } });
    const endpoint = await register(target.url);
    await submitAndComplete();
    const delivery = await settledDelivery(api, endpoint.id);
    expect(delivery.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([302, 200]);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('dead-letters after the last attempt, keeps the history, and replays on request', async () => {
    const target = await receiver({ status: 500 }, { status: 500 }, { status: 500 }, { status: 503 });
    const endpoint = await register(target.url);
    await submitAndComplete();
    const dead = await settledDelivery(api, endpoint.id, ['dead']);
    expect(dead.attempt_count).toBe(4);
    expect(dead.dead_reason).toMatch(/^retries_exhausted after 4 attempts: HTTP 503/);

    const replay = await api.post(`/v1/webhooks/${endpoint.id}/deliveries/${dead.id}/retry`);
    expect(replay.status).toBe(202);
    const [, , , , fifth] = await target.waitFor(5);
    expect(fifth!.headers['webhook-id']).toBe(target.received[0]!.headers['webhook-id']);
    expect(await settledDelivery(api, endpoint.id, ['succeeded'])).toMatchObject({ attempt_count: 5 });
  });

  it('sends a job its own callback_url webhook, signed with the secret answered at submit', async () => {
    const target = await receiver();
    const job = await api.post('/v1/chat/completions', { ...SEED_BODY, callback_url: target.url });
    expect(job.status).toBe(202);
    target.trust(job.body.callback_secret);
    expect(job.body.callback_secret).toMatch(/^whsec_/);
    expect((await api.get(`/v1/jobs/${job.body.job_id}`)).body).not.toHaveProperty('callback_secret');
    await system.complete(job.body.job_id, TENANT);
    const [hook] = await target.waitFor(1);
    expect(new Webhook(job.body.callback_secret).verify(hook!.body, hook!.headers as Record<string, string>)).toMatchObject({
      data: { job_id: job.body.job_id },
    });
  });

  it('makes one delivery per endpoint and event, however often the event is delivered', async () => {
    const target = await receiver();
    const endpoint = await register(target.url);
    const job = await api.post('/v1/chat/completions', SEED_BODY);
    await system.complete(job.body.job_id, TENANT);
    await system.complete(job.body.job_id, TENANT);
    await settledDelivery(api, endpoint.id);
    const sentinel = await submitAndComplete();
    await target.waitFor(2);
    const deliveries = (await api.get(`/v1/webhooks/${endpoint.id}/deliveries`)).body.data;
    expect(deliveries.map((d: { job_id: string }) => d.job_id).sort()).toEqual([job.body.job_id, sentinel].sort());
  });

  it('signs with the new secret after a rotation', async () => {
    const target = await receiver();
    const endpoint = await register(target.url);
    const rotated = await api.post(`/v1/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    target.trust(rotated.body.secret);
    expect((await api.get(`/v1/webhooks/${endpoint.id}`)).body).not.toHaveProperty('secret');
    await submitAndComplete();
    const [hook] = await target.waitFor(1);
    const headers = hook!.headers as Record<string, string>;
    expect(() => new Webhook(rotated.body.secret).verify(hook!.body, headers)).not.toThrow();
    expect(() => new Webhook(endpoint.secret).verify(hook!.body, headers)).toThrow();
  });
});
