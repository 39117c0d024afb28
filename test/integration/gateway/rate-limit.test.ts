import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { loadConfig } from '@conveyor/config';
import { InProcessBrokerClient } from '@conveyor/messaging';
import { startGateway } from '../../../apps/gateway/src/gateway.app';
import { Api, SEED_BODY } from '../../support/http.util';

/** Seed 001's rate limit, per tenant: past the budget a submission is a 429 with Retry-After, which the SDKs understand. */
describe('gateway submission rate limit', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    const config = loadConfig({
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      API_KEYS: 'tok-rate-limited-a:tenant-rate-a,tok-rate-limited-b:tenant-rate-b',
      RATE_LIMIT_SUBMITS_PER_MINUTE: '2',
      STREAMING_PORT: '0',
    });
    const broker = new InProcessBrokerClient({ maxDeliveries: 5 });
    await broker.connect();
    app = await startGateway({ config, broker, databaseUrl: config.database.url!, ownsBroker: true });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('admits the budget, then answers 429 with Retry-After in OpenAI shape, tenant by tenant', async () => {
    const a = new Api(base, 'tok-rate-limited-a');
    expect((await a.post('/v1/chat/completions', SEED_BODY)).status).toBe(202);
    expect((await a.post('/v1/chat/completions', SEED_BODY)).status).toBe(202);
    const limited = await a.post('/v1/chat/completions', SEED_BODY);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect((await a.get('/v1/jobs?limit=100')).body.data).toHaveLength(2);

    const sdk = new OpenAI({ apiKey: 'tok-rate-limited-a', baseURL: `${base}/openai/v1`, maxRetries: 0 });
    await expect(sdk.chat.completions.create({ model: 'simulated', messages: [{ role: 'user', content: 'Hello' }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);

    expect((await a.as('tok-rate-limited-b').post('/v1/chat/completions', SEED_BODY)).status).toBe(202);
  });
});
