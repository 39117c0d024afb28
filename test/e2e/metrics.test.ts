import { CLUSTER_KEYS, Cluster } from '../support/cluster.util';
import { Api } from '../support/http.util';
import { parsePrometheusText, scrape, type Scrape } from '../support/prometheus-text.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { openSse } from '../support/sse-client.util';
import { WebhookReceiver } from '../support/webhook-receiver.util';

/** Retries `check` until it stops throwing, or throws its last error after `timeoutMs`. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** What must never appear in a scrape: tenants, keys, job ids. */
function expectNoSecrets(page: Scrape, secrets: readonly string[]): void {
  for (const secret of secrets) expect(page.text).not.toContain(secret);
}

const SIMULATED = { SIMULATED_TTFT_MS: '20', SIMULATED_TOKENS_PER_SECOND: '400', SIMULATED_MIN_TOKENS: '4', SIMULATED_MAX_TOKENS: '12' };

describe('the Prometheus text parser the metrics tests read with', () => {
  it('refuses what a scraper could misread', () => {
    const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 2\n';
    expect(parsePrometheusText(ok).get('a_total')!.samples).toEqual([{ name: 'a_total', labels: { x: '1' }, value: 2 }]);
    expect(() => parsePrometheusText('b 1\n')).toThrow(/no declared family/);
    expect(() => parsePrometheusText(`${ok}a_total{x="1"} 3\n`)).toThrow(/given twice/);
    expect(() => parsePrometheusText('# TYPE a counter\na{x=1} 2\n')).toThrow(/not quoted/);
    expect(() => parsePrometheusText('# TYPE a counter\na 2')).toThrow(/newline/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0\n')).toThrow(/not cumulative/);
    expect(() => parsePrometheusText('# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_count 3\nh_sum 0\n')).toThrow(/not the count/);
  });
});

/**
 * Every service of a real deployment (gateway, streaming, persistence, notification, two inference workers) as OS
 * processes over the real RabbitMQ (vhost conveyor_metrics_e2e) and PostgreSQL: jobs of every band run through,
 * one is cancelled while queued and one expires in its queue, two carry webhooks and one is watched on the
 * streaming service; then every service's `/metrics` is scraped, parsed strictly, and counted exactly.
 */
describe('metrics of the separate services (RabbitMQ + PostgreSQL)', () => {
  let cluster: Cluster;
  let receiver: WebhookReceiver;
  let alice: Api;
  let bob: Api;
  const ran: string[] = [];
  /** Each job's tenant's client: a job is read with its own tenant's key. */
  const owner = new Map<string, Api>();
  let cancelledId: string;
  let expiredId: string;
  let watchedId: string;
  let depthsBeforeWorkers: Scrape;
  let streamingWhileWatching: Scrape;
  let watched: Awaited<ReturnType<typeof openSse>>;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    // No worker yet: the jobs wait in their bands, so depths, a cancel and an expiry are exact.
    cluster = await Cluster.start({ name: 'metrics_e2e', inference: 0, env: { ...SIMULATED, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', EXPIRY_SWEEP_MS: '200' } });
    alice = new Api(cluster.gatewayUrl, CLUSTER_KEYS.alice);
    bob = new Api(cluster.gatewayUrl, CLUSTER_KEYS.bob);
    const submit = async (api: Api, priority: string, extra: Record<string, unknown> = {}) => {
      const res = await api.post('/v1/chat/completions', { messages: [{ role: 'user', content: `a ${priority} job` }], priority, ...extra });
      expect(res.status).toBe(202);
      owner.set(res.body.job_id, api);
      return res.body.job_id as string;
    };
    ran.push(
      await submit(alice, 'high', { callback_url: receiver.url }),
      await submit(alice, 'high'),
      await submit(bob, 'high'),
      await submit(alice, 'normal', { callback_url: receiver.url }),
      await submit(alice, 'normal'),
      await submit(bob, 'low'),
    );
    watchedId = ran[5]!;
    cancelledId = await submit(alice, 'low');
    expiredId = await submit(bob, 'normal', { expires_in: 1 });
    depthsBeforeWorkers = await scrape(`${cluster.gatewayUrl}/metrics`);

    expect((await alice.post(`/v1/jobs/${cancelledId}/cancel`)).body).toMatchObject({ status: 'cancelled' });
    expect((await bob.waitForJob(expiredId, ['expired'], 30_000)).status).toBe('expired');

    watched = await openSse(`${cluster.streamingUrl}/v1/jobs/${watchedId}/stream`, { authorization: `Bearer ${CLUSTER_KEYS.bob}` });
    expect(watched.status).toBe(200);
    streamingWhileWatching = await eventually(async () => {
      const page = await scrape(`${cluster.streamingUrl}/metrics`);
      expect(page.sum('conveyor_open_streams')).toBe(1);
      return page;
    });

    await cluster.addInference();
    await cluster.addInference();
    for (const id of ran) expect((await owner.get(id)!.waitForJob(id)).status).toBe('completed');
    await watched.done;
    await receiver.waitFor(2);
  });

  afterAll(async () => {
    await cluster?.destroy();
    await receiver?.stop();
  });

  const SECRETS = () => ['tenant-alice', 'tenant-bob', CLUSTER_KEYS.alice, CLUSTER_KEYS.bob, ...ran, cancelledId, expiredId];

  it('the gateway: per-band queue depth read from the broker, exactly what waits in each band', () => {
    const depth = (band: string) => depthsBeforeWorkers.sum('conveyor_queue_depth', { band });
    expect([depth('high'), depth('normal'), depth('low')]).toEqual([3, 3, 2]);
    expect(depthsBeforeWorkers.sum('conveyor_queue_consumers')).toBe(0);
  });

  it('the gateway: jobs submitted by model and band, the queued cancel, requests by route template, dependencies up', async () => {
    const page = await scrape(`${cluster.gatewayUrl}/metrics`);
    const submitted = (priority: string) => page.sum('conveyor_jobs_submitted_total', { model: 'simulated', priority });
    expect([submitted('high'), submitted('normal'), submitted('low')]).toEqual([3, 3, 2]);
    expect(page.samples('conveyor_jobs_finished_total')).toEqual([
      { name: 'conveyor_jobs_finished_total', labels: { outcome: 'cancelled', model: 'simulated', priority: 'low' }, value: 1 },
    ]);
    expect(page.sum('conveyor_http_requests_total', { route: '/v1/chat/completions', method: 'POST', status: '202' })).toBe(8);
    expect(page.sum('conveyor_http_requests_total', { route: '/v1/jobs/:jobId/cancel', method: 'POST', status: '200' })).toBe(1);
    expect(page.sum('conveyor_http_request_duration_seconds_count', { route: '/v1/chat/completions', method: 'POST' })).toBe(8);
    for (const band of ['high', 'normal', 'low']) {
      expect(page.sum('conveyor_queue_depth', { band })).toBe(0);
      expect(page.sum('conveyor_queue_consumers', { band })).toBe(2);
    }
    expect(page.sum('conveyor_broker_up')).toBe(1);
    expect(page.sum('conveyor_database_up')).toBe(1);
    expect(page.family('process_cpu_seconds_total')?.type).toBe('counter');
    expectNoSecrets(page, SECRETS());
  });

  it('the gateway: an unknown path is one `unmatched` route, never the path itself', async () => {
    const before = (await scrape(`${cluster.gatewayUrl}/metrics`)).sum('conveyor_http_requests_total', { route: 'unmatched' });
    for (const path of ['/no/such/route/tenant-alice', `/${CLUSTER_KEYS.alice}`, `/v2/${ran[0]}`]) expect((await alice.get(path)).status).toBe(404);
    const page = await scrape(`${cluster.gatewayUrl}/metrics`);
    expect(page.sum('conveyor_http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }) - before).toBe(3);
    for (const route of page.labelValues('conveyor_http_requests_total', 'route')) expect(route === 'unmatched' || route.startsWith('/')).toBe(true);
    expectNoSecrets(page, SECRETS());
  });

  it('the inference workers: starts, completions, queue wait, processing time, tokens and provider calls, summed over both', async () => {
    const [w0, w1] = await Promise.all(['inference-0', 'inference-1'].map((name) => scrape(`${cluster.opsUrls.get(name)}/metrics`)));
    const both = (name: string, labels: Record<string, string> = {}) => w0!.sum(name, labels) + w1!.sum(name, labels);
    const byBand = (name: string, labels: Record<string, string> = {}) => ['high', 'normal', 'low'].map((priority) => both(name, { ...labels, priority }));
    // The cancelled and the expired job never start: only the six that ran do.
    expect(byBand('conveyor_jobs_started_total', { model: 'simulated' })).toEqual([3, 2, 1]);
    expect(byBand('conveyor_jobs_finished_total', { outcome: 'completed', model: 'simulated' })).toEqual([3, 2, 1]);
    expect(both('conveyor_jobs_finished_total')).toBe(6);
    expect(byBand('conveyor_job_queue_wait_seconds_count')).toEqual([3, 2, 1]);
    expect(both('conveyor_job_processing_seconds_count', { model: 'simulated', outcome: 'completed' })).toBe(6);
    expect(both('conveyor_provider_calls_total', { deployment: 'simulated', provider: 'simulated', outcome: 'ok' })).toBe(6);
    expect(both('conveyor_provider_calls_total')).toBe(6);
    expect(both('conveyor_provider_call_duration_seconds_count', { deployment: 'simulated' })).toBe(6);

    const usage = await Promise.all(ran.map(async (id) => (await owner.get(id)!.get(`/v1/jobs/${id}`)).body.result.usage));
    expect(both('conveyor_tokens_total', { model: 'simulated', direction: 'input' })).toBe(usage.reduce((n, u) => n + u.prompt_tokens, 0));
    expect(both('conveyor_tokens_total', { model: 'simulated', direction: 'output' })).toBe(usage.reduce((n, u) => n + u.completion_tokens, 0));
    for (const page of [w0!, w1!]) {
      expect(page.sum('conveyor_broker_up')).toBe(1);
      expect(page.sum('conveyor_database_up')).toBe(1);
      expect(page.family('conveyor_http_requests_total')).toBeUndefined(); // a worker serves no API
      expectNoSecrets(page, SECRETS());
    }
  });

  it('persistence: the expiry its sweeper decided, by model and band', async () => {
    const page = await scrape(`${cluster.opsUrls.get('persistence')}/metrics`);
    expect(page.samples('conveyor_jobs_finished_total')).toEqual([
      { name: 'conveyor_jobs_finished_total', labels: { outcome: 'expired', model: 'simulated', priority: 'normal' }, value: 1 },
    ]);
    expect([page.sum('conveyor_broker_up'), page.sum('conveyor_database_up')]).toEqual([1, 1]);
    expectNoSecrets(page, SECRETS());
  });

  it('notification: webhook deliveries by outcome, one per delivery the receiver got', async () => {
    const page = await eventually(async () => {
      const p = await scrape(`${cluster.opsUrls.get('notification')}/metrics`);
      expect(p.sum('conveyor_webhook_deliveries_total', { outcome: 'succeeded' })).toBe(2);
      return p;
    });
    expect(receiver.received).toHaveLength(2);
    expect(page.sum('conveyor_webhook_deliveries_total')).toBe(2);
    expect([page.sum('conveyor_broker_up'), page.sum('conveyor_database_up')]).toEqual([1, 1]);
    expectNoSecrets(page, SECRETS());
  });

  it('streaming: the open stream while a client watched, none after, and the stream counted by its route', async () => {
    expect(streamingWhileWatching.sum('conveyor_open_streams')).toBe(1);
    const page = await eventually(async () => {
      const p = await scrape(`${cluster.streamingUrl}/metrics`);
      expect(p.sum('conveyor_open_streams')).toBe(0);
      expect(p.sum('conveyor_http_requests_total', { route: '/v1/jobs/:jobId/stream', method: 'GET', status: '200' })).toBe(1);
      return p;
    });
    expect(page.sum('conveyor_http_request_duration_seconds_count', { route: '/v1/jobs/:jobId/stream' })).toBe(1);
    expect([page.sum('conveyor_broker_up'), page.sum('conveyor_database_up')]).toEqual([1, 1]);
    expectNoSecrets(page, SECRETS());
    expectNoSecrets(streamingWhileWatching, SECRETS());
  });

  it("every service's ops listener answers /metrics, /health and /health/ready", async () => {
    expect([...cluster.opsUrls.keys()].sort()).toEqual(['gateway', 'inference-0', 'inference-1', 'notification', 'persistence', 'streaming']);
    for (const url of cluster.opsUrls.values()) {
      await scrape(`${url}/metrics`);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', broker: { ready: true }, database: { ready: true } });
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${url}/v1/models`)).status).toBe(404);
    }
  });

  it('/metrics needs no key and is outside the rate limits: fifty scrapes in a row all answer 200 without rate-limit headers', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${cluster.gatewayUrl}/metrics`)));
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
    for (const r of answers) {
      expect([...r.headers.keys()].filter((name) => name.startsWith('x-ratelimit') || name === 'retry-after')).toEqual([]);
      await r.text();
    }
  });
});

/** `npm start`'s one process: its `/metrics` on the one HTTP port carries every service's series. */
describe('metrics of the embedded process (in-process broker, PGlite)', () => {
  let app: ServiceProcess;
  let api: Api;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    app = ServiceProcess.start('embedded', {
      PORT: String(port),
      HOST: '127.0.0.1',
      EMBEDDED_DATA_DIR: 'memory',
      LOG_LEVEL: 'log',
      API_KEYS: 'tok-metrics-embedded:tenant-metrics',
      WORKER_CONCURRENCY: '2',
      ...SIMULATED,
    });
    await app.waitForLog(/Conveyor is running/, 60_000);
    base = `http://127.0.0.1:${port}`;
    api = new Api(base, 'tok-metrics-embedded');
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('counts the jobs it ran from submit to tokens, with the queue depth of its in-process bands', async () => {
    const ids: string[] = [];
    for (const priority of ['high', 'normal', 'low', 'normal']) {
      const res = await api.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'hello' }], priority });
      expect(res.status).toBe(202);
      ids.push(res.body.job_id);
    }
    const jobs = await Promise.all(ids.map((id) => api.waitForJob(id)));
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const page = await eventually(async () => {
      const p = await scrape(`${base}/metrics`);
      expect(p.sum('conveyor_jobs_finished_total', { outcome: 'completed' })).toBe(4);
      return p;
    });
    const band = (name: string, labels: Record<string, string> = {}) => ['high', 'normal', 'low'].map((priority) => page.sum(name, { ...labels, priority }));
    expect(band('conveyor_jobs_submitted_total', { model: 'simulated' })).toEqual([1, 2, 1]);
    expect(band('conveyor_jobs_started_total', { model: 'simulated' })).toEqual([1, 2, 1]);
    expect(band('conveyor_jobs_finished_total', { outcome: 'completed', model: 'simulated' })).toEqual([1, 2, 1]);
    expect(page.sum('conveyor_provider_calls_total', { deployment: 'simulated', outcome: 'ok' })).toBe(4);
    expect(page.sum('conveyor_tokens_total', { direction: 'output' })).toBe(jobs.reduce((n, j) => n + j.result.usage.completion_tokens, 0));
    expect(page.sum('conveyor_tokens_total', { direction: 'input' })).toBe(jobs.reduce((n, j) => n + j.result.usage.prompt_tokens, 0));
    expect(page.sum('conveyor_http_requests_total', { route: '/v1/chat/completions', method: 'POST', status: '202' })).toBe(4);
    expect(['high', 'normal', 'low'].map((b) => page.sum('conveyor_queue_depth', { band: b }))).toEqual([0, 0, 0]);
    expect(page.sum('conveyor_open_streams')).toBe(0);
    expect([page.sum('conveyor_broker_up'), page.sum('conveyor_database_up')]).toEqual([1, 1]);
    expectNoSecrets(page, ['tenant-metrics', 'tok-metrics-embedded', ...ids]);
  });

  it('documents /metrics in its OpenAPI document, as a public route', async () => {
    const doc = (await api.get('/openapi.json')).body;
    expect(doc.paths['/metrics'].get).toMatchObject({ security: [] });
  });
});
