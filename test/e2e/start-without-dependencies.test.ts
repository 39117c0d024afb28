import { randomBytes } from 'node:crypto';
import { Cluster, CLUSTER_KEYS } from '../support/cluster.util';
import { Api, SEED_BODY } from '../support/http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { TcpProxy } from '../support/tcp-proxy.util';

/** The URL with its host and port replaced by the proxy's. */
function through(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined as T);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A gateway started while its broker or database is unreachable (a TCP proxy that refuses connections, opened
 * later) waits instead of exiting: /health answers 503 naming what is missing, and once the proxy opens the gateway
 * starts, answers 200 and runs jobs. Runs on the real RabbitMQ and PostgreSQL of this machine, in a vhost and
 * database of its own.
 */
describe('a service started before its broker or database', () => {
  let cluster: Cluster;
  const extra: ServiceProcess[] = [];
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    cluster = await Cluster.start({
      name: `startwait_${randomBytes(4).toString('hex')}`,
      inference: 1,
      streaming: false,
      notification: false,
      env: { SIMULATED_TTFT_MS: '0', SIMULATED_TOKENS_PER_SECOND: '0', SIMULATED_MIN_TOKENS: '4', SIMULATED_MAX_TOKENS: '8' },
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(extra.map((s) => s.stop()));
    await Promise.all(proxies.map((p) => p.cut()));
    await cluster?.destroy();
  });

  async function gatewayBehindClosedProxy(dependency: 'BROKER_URL' | 'DATABASE_URL'): Promise<{ api: Api; proxy: TcpProxy; gateway: ServiceProcess }> {
    const direct = cluster.env[dependency]!;
    const proxy = await TcpProxy.start(hostPort(direct, dependency === 'BROKER_URL' ? 5672 : 5432));
    proxies.push(proxy);
    await proxy.cut();
    const port = await freePort();
    const gateway = ServiceProcess.start(
      'gateway',
      { ...cluster.env, PORT: String(port), LOG_LEVEL: 'log', [dependency]: through(direct, proxy) },
      `gateway-${dependency}`,
    );
    extra.push(gateway);
    return { api: new Api(`http://127.0.0.1:${port}`, CLUSTER_KEYS.alice), proxy, gateway };
  }

  it.each([
    ['BROKER_URL', 'broker'],
    ['DATABASE_URL', 'database'],
  ] as const)('with %s unreachable: /health 503 naming the %s, then 200 and a completed job once it answers', async (dependency, name) => {
    const { api, proxy, gateway } = await gatewayBehindClosedProxy(dependency);

    // Each wait is logged with its reason; the first comes after the first check, half a second in.
    await gateway.waitForLog(new RegExp(`waiting for ${name} \\(.+\\); next try in 0.5 s`), 30_000);
    const waiting = await api.get('/health');
    expect(waiting.status).toBe(503);
    expect(waiting.body).toMatchObject({ status: 'starting', [name]: { ready: false }, missing: [name] });
    expect(waiting.headers.get('retry-after')).toBe('2');
    const refused = await api.post('/v1/chat/completions', SEED_BODY);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ type: 'service_unavailable', code: `${name}_unavailable` });
    // The back-off doubles.
    await gateway.waitForLog(new RegExp(`waiting for ${name} \\(.+\\); next try in 1 s`), 10_000);
    expect(gateway.child.exitCode).toBeNull();

    await proxy.open();
    const ready = await eventually(
      () => api.get('/health'),
      (r) => r.status === 200,
      30_000,
    );
    expect(ready.body).toMatchObject({ status: 'ok', broker: { ready: true }, database: { ready: true } });
    await gateway.waitForLog(/conveyor gateway listening on/, 10_000);

    const submitted = await api.post('/v1/chat/completions', SEED_BODY);
    expect(submitted.status).toBe(202);
    const job = await api.waitForJob(submitted.body.job_id);
    expect(job.status).toBe('completed');
  });
});
