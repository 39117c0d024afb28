import OpenAI from 'openai';
import { loadConfig } from '@conveyor/config';
import { createBrokerClient } from '@conveyor/messaging';
import { startService, type RunningService } from '@conveyor/bootstrap';
import { GatewayModule } from '../../../apps/gateway/src/gateway.module';
import { Api, SEED_BODY } from '../../support/http.util';
import { deleteVhost, recreateVhost, runVhostName } from '../../support/vhost.util';

const VHOST = runVhostName('rate_limit');

/**
 * The gateway's rate limits on the real PostgreSQL (the buckets live there) and the real RabbitMQ (a vhost of this
 * run's own): the jobs are queued, never run. Per tenant and per key, OpenAI's headers on every submit, and a 429
 * the SDKs understand.
 */
describe('gateway rate limits (RabbitMQ, real PostgreSQL)', () => {
  let service: RunningService;
  let base: string;

  beforeAll(async () => {
    const config = loadConfig({
      BROKER_URL: await recreateVhost(VHOST),
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      API_KEYS: 'tok-rate-limited-a:tenant-rate-a,tok-rate-limited-a2:tenant-rate-a,tok-rate-limited-b:tenant-rate-b,tok-rate-tpm-0001:tenant-rate-tpm',
      RATE_LIMIT_RPM: '3',
      RATE_LIMIT_BURST: '3',
      RATE_LIMIT_KEY_RPM: '2',
      RATE_LIMIT_KEY_BURST: '2',
      STREAMING_PORT: '0',
    });
    const broker = createBrokerClient(config, 'rate-limit-test');
    service = await startService({ services: ['gateway'], config, broker, database: { url: config.database.url! }, features: [GatewayModule] });
    base = service.url!.replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await service?.stop();
    await deleteVhost(VHOST);
  });

  it('admits a key its burst, then answers 429 in OpenAI shape with Retry-After and the x-ratelimit headers', async () => {
    const a = new Api(base, 'tok-rate-limited-a');
    const first = await a.post('/v1/chat/completions', SEED_BODY);
    expect(first.status).toBe(202);
    // The key's limit (2 a minute) is tighter than the tenant's (3): it is the one reported.
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?s$|^\d+ms$/);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBeNull();
    expect((await a.post('/v1/chat/completions', SEED_BODY)).status).toBe(202);

    const limited = await a.post('/v1/chat/completions', SEED_BODY);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null });
    expect(limited.body.error.message).toMatch(/API key: 2 requests per minute/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect((await a.get('/v1/jobs?limit=100')).body.data).toHaveLength(2);
  });

  it('limits the tenant as a whole across its keys, and no other tenant', async () => {
    const second = new Api(base, 'tok-rate-limited-a2');
    // tenant-rate-a has spent 2 of its 3: its other key gets one more, although that key's own bucket has two.
    const admitted = await second.post('/v1/chat/completions', SEED_BODY);
    expect(admitted.status).toBe(202);
    const refused = await second.post('/v1/chat/completions', SEED_BODY);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/tenant: 3 requests per minute/);
    expect((await second.as('tok-rate-limited-b').post('/v1/chat/completions', SEED_BODY)).status).toBe(202);
  });

  it('is raised by the official SDK as RateLimitError, on the /openai/v1 surface too', async () => {
    const sdk = new OpenAI({ apiKey: 'tok-rate-limited-a', baseURL: `${base}/openai/v1`, maxRetries: 0 });
    const err = await sdk.chat.completions.create({ model: 'simulated', messages: [{ role: 'user', content: 'Hello' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('rate_limit_exceeded');
  });
});
