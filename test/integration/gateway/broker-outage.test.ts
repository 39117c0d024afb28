import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@conveyor/config';
import { AmqpBrokerClient } from '@conveyor/messaging';
import { startGateway } from '../../../apps/gateway/src/gateway.app';
import { Api, SEED_BODY } from '../../support/http.util';
import { TcpProxy } from '../../support/tcp-proxy.util';

const broker = new URL(process.env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672');

/** If the broker is down at submit time the answer is 503 with Retry-After — never a 202 — and nothing is stored. */
describe('gateway during a broker outage', () => {
  let proxy: TcpProxy;
  let client: AmqpBrokerClient;
  let app: NestFastifyApplication;
  let api: Api;

  beforeAll(async () => {
    proxy = await TcpProxy.start({ host: broker.hostname, port: Number(broker.port || 5672) });
    const url = `amqp://${broker.username}:${broker.password}@127.0.0.1:${proxy.port}`;
    const config = loadConfig({
      BROKER_URL: url,
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      API_KEYS: 'tok-outage-tenant-key:tenant-outage',
      BROKER_RECONNECT_MS: '100',
      BROKER_PUBLISH_TIMEOUT_MS: '2000',
    });
    client = new AmqpBrokerClient({ ...config.broker, url, connectionName: 'outage-test', maxDeliveries: config.broker.maxDeliveries });
    await client.connect();
    app = await startGateway({ config, broker: client, databaseUrl: config.database.url!, ownsBroker: true });
    api = new Api((await app.getUrl()).replace('[::1]', '127.0.0.1'), 'tok-outage-tenant-key');
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.cut();
  });

  it('answers 503 with Retry-After while the broker is unreachable, stores nothing, and recovers by itself', async () => {
    expect((await api.post('/v1/chat/completions', SEED_BODY)).status).toBe(202);
    const before = (await api.get('/v1/jobs?limit=100')).body.data.length;

    await proxy.cut();
    const during = await api.post('/v1/chat/completions', SEED_BODY);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(during.body.error).toMatchObject({ type: 'service_unavailable', code: 'broker_unavailable' });
    expect((await api.get('/v1/jobs?limit=100')).body.data.length).toBe(before);
    expect((await api.get('/health')).body.broker.ready).toBe(false);

    await proxy.open();
    const deadline = Date.now() + 20_000;
    while (!client.isReady()) {
      if (Date.now() > deadline) throw new Error('the client did not reconnect');
      await new Promise((r) => setTimeout(r, 50));
    }
    const after = await api.post('/v1/chat/completions', SEED_BODY);
    expect(after.status).toBe(202);
    expect((await api.get(`/v1/jobs/${after.body.job_id}`)).status).toBe(200);
  });
});
