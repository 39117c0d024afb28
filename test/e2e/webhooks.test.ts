import { Api, SEED_BODY } from '../support/http.util';
import { freePort, ServiceProcess } from '../support/service-process.util';
import { WebhookReceiver, type ReceiverAnswer } from '../support/webhook-receiver.util';
import { deleteVhost, recreateVhost, runVhostName } from '../support/vhost.util';

/** This file's own vhost, fresh for the run: nothing another run or file left behind is consumed here. */
const VHOST = runVhostName('e2e_webhooks');
let brokerUrl = '';
const KEY = 'tok-e2e-webhooks';
/**
 * Every retry on the 1 s delay tier, and enough of them (about 20 s of life) that the deliveries of jobs finishing
 * several seconds apart on a loaded machine are all still pending together while the receiver is down.
 */
const SCHEDULE = Array.from({ length: 20 }, () => '1000').join(',');

/**
 * Webhooks across real processes over the real RabbitMQ (a vhost of this run's own) and PostgreSQL: a notification
 * service killed with SIGKILL mid-schedule, and a receiver that is down for a while. Every request a receiver gets
 * is verified with `standardwebhooks` against its endpoint's secret.
 */
describe('webhooks across service processes (RabbitMQ and PostgreSQL)', () => {
  const started: ServiceProcess[] = [];
  const receivers: WebhookReceiver[] = [];
  let env: Record<string, string>;
  let api: Api;
  let notification: ServiceProcess;

  const start = async (app: 'gateway' | 'inference' | 'persistence' | 'notification', name: string = app, extra: Record<string, string> = {}) => {
    const service = ServiceProcess.start(app, { ...env, ...extra }, name);
    started.push(service);
    await service.waitForLog(/listening on|running \d+ job|consuming/);
    return service;
  };
  const receiver = async (script: ReceiverAnswer[], port?: number) => {
    const r = await WebhookReceiver.start(script, port);
    receivers.push(r);
    return r;
  };
  /** Registers an endpoint; answers its id and its signing secret. */
  const register = async (url: string): Promise<{ id: string; secret: string }> => {
    const res = await api.post('/v1/webhooks', { url });
    expect(res.status).toBe(201);
    return res.body;
  };
  const submit = async (): Promise<string> => {
    const res = await api.post('/v1/chat/completions', SEED_BODY);
    expect(res.status).toBe(202);
    return res.body.job_id;
  };
  /** Polls the endpoint's delivery history (real requests) until `done` holds for it; answers the deliveries. */
  const deliveriesWhen = async (endpointId: string, done: (deliveries: any[]) => boolean, timeoutMs = 60_000): Promise<any[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const deliveries = (await api.get(`/v1/webhooks/${endpointId}/deliveries`)).body.data;
      if (done(deliveries)) return deliveries;
      if (Date.now() > deadline) {
        // The services' own account (warnings and errors) says why a delivery came late or not at all.
        const logs = started.map((s) => `--- ${s.name}\n${s.logs.slice(-4000)}`).join('\n');
        throw new Error(`deliveries not as expected in time: ${JSON.stringify(deliveries)}\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const succeeded = (count: number) => (ds: any[]) => ds.length === count && ds.every((d) => d.status === 'succeeded');

  /** Swaps the notification service for a fresh process after a SIGKILL: no shutdown hooks, no acks. */
  const crashNotification = async (): Promise<void> => {
    await notification.kill();
    notification = await start('notification', 'notification-restarted');
  };

  beforeAll(async () => {
    brokerUrl = await recreateVhost(VHOST);
    const port = await freePort();
    env = {
      BROKER_URL: brokerUrl,
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      PORT: String(port),
      HOST: '127.0.0.1',
      API_KEYS: `${KEY}:tenant-e2e-webhooks`,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCHEDULE_MS: SCHEDULE,
      // Keeps an attempt's lease (timeout + 5 s) inside the 5 s tier once a killed process has been replaced.
      WEBHOOK_TIMEOUT_MS: '500',
    };
    await start('persistence');
    notification = await start('notification');
    await start('gateway');
    await start('inference', 'inference', {
      WORKER_CONCURRENCY: '2',
      SIMULATED_TTFT_MS: '5',
      SIMULATED_TOKENS_PER_SECOND: '2000',
      SIMULATED_MIN_TOKENS: '4',
      SIMULATED_MAX_TOKENS: '8',
    });
    api = new Api(`http://127.0.0.1:${port}`, KEY);
  });

  afterEach(async () => {
    // Each test's endpoints go, so a later test's jobs reach only its own receivers.
    for (const e of (await api.get('/v1/webhooks')).body.data) await api.request('DELETE', `/v1/webhooks/${e.id}`);
    for (const r of receivers.splice(0)) await r.stop();
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await deleteVhost(VHOST);
  });

  it('a notification process killed while a retry is scheduled: the delivery succeeds once, same webhook-id', async () => {
    const target = await receiver([{ status: 500 }, { status: 500 }]);
    const { id: endpointId, secret } = await register(target.url);
    target.trust(secret);
    await submit();
    // The first attempt failed and is recorded: the delivery now waits for its retry.
    await deliveriesWhen(endpointId, (ds) => ds[0]?.attempt_count >= 1);
    await crashNotification();

    const [delivery] = await deliveriesWhen(endpointId, succeeded(1));
    expect(delivery.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 500, 200]);
    // A later delivery to the same receiver arrives after anything the crash might have left behind.
    await submit();
    await deliveriesWhen(endpointId, succeeded(2));
    const ours = target.received.filter((h) => h.headers['webhook-id'] === delivery.webhook_id);
    expect(ours).toHaveLength(3);
    expect(target.received).toHaveLength(4);
    expect(target.unverified()).toEqual([]);
  });

  it('a notification process killed mid-attempt: the delivery is attempted again after its lease and succeeds once', async () => {
    const target = await receiver(['hang']);
    const { id: endpointId, secret } = await register(target.url);
    target.trust(secret);
    await submit();
    await target.waitFor(1, 60_000);
    await crashNotification();

    const [delivery] = await deliveriesWhen(endpointId, succeeded(1));
    expect(delivery.attempts.at(-1)).toMatchObject({ status_code: 200 });
    await submit();
    await deliveriesWhen(endpointId, succeeded(2));
    const ours = target.received.filter((h) => h.headers['webhook-id'] === delivery.webhook_id);
    // The hung request, then the one success.
    expect(ours).toHaveLength(2);
    expect(target.received).toHaveLength(3);
    expect(target.unverified()).toEqual([]);
  });

  it('a receiver down for a while gets every delivery after it returns, each exactly once', async () => {
    const port = await freePort();
    const { id: endpointId, secret } = await register(`http://127.0.0.1:${port}/hook`);
    for (let i = 0; i < 3; i += 1) await submit();
    // Every delivery has failed twice against the closed port before the receiver comes up.
    await deliveriesWhen(endpointId, (ds) => ds.length === 3 && ds.every((d) => d.status === 'pending' && d.attempt_count >= 2));
    const target = (await receiver([], port)).trust(secret);

    const deliveries = await deliveriesWhen(endpointId, succeeded(3));
    for (const d of deliveries) expect(d.attempts.at(-1)).toMatchObject({ status_code: 200 });
    expect(deliveries.every((d) => d.attempts.slice(0, -1).every((a: { status_code: number | null }) => a.status_code === null))).toBe(true);
    const ids = target.received.map((h) => h.headers['webhook-id']).sort();
    expect(ids).toEqual(deliveries.map((d) => d.webhook_id).sort());
    expect(target.unverified()).toEqual([]);
  });
});
