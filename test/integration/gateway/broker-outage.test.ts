import { loadConfig } from '@conveyor/config';
import { AmqpBrokerClient } from '@conveyor/messaging';
import { startService, type RunningService } from '@conveyor/bootstrap';
import { GatewayModule } from '../../../apps/gateway/src/gateway.module';
import { Api, SEED_BODY } from '../../support/http.util';
import { TcpProxy } from '../../support/tcp-proxy.util';
import { brokerServerUrl, deleteVhost, recreateVhost, runVhostName } from '../../support/vhost.util';

const broker = new URL(brokerServerUrl());
const VHOST = runVhostName('gateway_outage');

/**
 * If the broker is down at submit time the answer is 503 with Retry-After — never a 202 — and nothing is stored.
 * On the real RabbitMQ, through a TCP proxy the test cuts, in a vhost of this run's own.
 */
describe('gateway during a broker outage (RabbitMQ, real PostgreSQL)', () => {
  let proxy: TcpProxy;
  let client: AmqpBrokerClient;
  let service: RunningService;
  let api: Api;

  beforeAll(async () => {
    await recreateVhost(VHOST);
    proxy = await TcpProxy.start({ host: broker.hostname, port: Number(broker.port || 5672) });
    const url = `amqp://${broker.username}:${broker.password}@127.0.0.1:${proxy.port}/${VHOST}`;
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
    service = await startService({ services: ['gateway'], config, broker: client, database: { url: config.database.url! }, features: [GatewayModule] });
    api = new Api(service.url!.replace('[::1]', '127.0.0.1'), 'tok-outage-tenant-key');
  });

  afterAll(async () => {
    await service?.stop();
    await proxy?.cut();
    await deleteVhost(VHOST);
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

  it('a submit refused with 503 does not hold its Idempotency-Key: the retry after the outage is accepted, and then replayed', async () => {
    const key = { 'idempotency-key': `outage-${Date.now()}` };
    await proxy.cut();
    const during = await api.post('/v1/chat/completions', SEED_BODY, key);
    expect(during.status).toBe(503);
    await proxy.open();
    const deadline = Date.now() + 20_000;
    while (!client.isReady()) {
      if (Date.now() > deadline) throw new Error('the client did not reconnect');
      await new Promise((r) => setTimeout(r, 50));
    }
    const retried = await api.post('/v1/chat/completions', SEED_BODY, key);
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const again = await api.post('/v1/chat/completions', SEED_BODY, key);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(retried.body);
  });
});
