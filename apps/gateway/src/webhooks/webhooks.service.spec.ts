import type { ConveyorConfig } from '@conveyor/config';
import type { WebhookDeliveryStore, WebhookEndpointStore } from '@conveyor/database';
import type { MessagePublisher } from '@conveyor/messaging';
import { mapGatewayException } from '../errors/gateway-error.mapper';
import { GatewayException } from '../errors/gateway.exception';
import type { DestinationValidator } from './destination.validator';
import { WebhooksService } from './webhooks.service';

/** A store whose every call fails as a lost database connection would. */
const unreachable = <T extends object>(): T =>
  new Proxy({} as T, { get: () => () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) });

describe('WebhooksService when the database is down', () => {
  const destinations = { assertAllowed: async (url: string) => url } as unknown as DestinationValidator;
  const config = { webhooks: { secretKey: undefined } } as unknown as ConveyorConfig;
  const service = new WebhooksService(unreachable<WebhookEndpointStore>(), unreachable<WebhookDeliveryStore>(), config, destinations, {} as MessagePublisher);
  // Quiet: the service logs the driver's message, which these expectations do not need.
  beforeAll(() => jest.spyOn((service as unknown as { logger: { error: () => void } }).logger, 'error').mockImplementation(() => undefined));

  it.each([
    ['create', () => service.create('t', { url: 'https://example.com/hook' })],
    ['list', () => service.list('t')],
    ['get', () => service.get('t', 'id')],
    ['remove', () => service.remove('t', 'id')],
    ['rotateSecret', () => service.rotateSecret('t', 'id')],
    ['enable', () => service.enable('t', 'id')],
    ['listDeliveries', () => service.listDeliveries('t', 'id', {})],
    ['replay', () => service.replay('t', 'id', 'delivery')],
  ])('%s answers 503 database_unavailable with Retry-After, as the jobs API does', async (_name, call) => {
    const err = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GatewayException);
    const mapped = mapGatewayException(err as GatewayException);
    expect(mapped.status).toBe(503);
    expect(mapped.headers['retry-after']).toBeDefined();
    expect(mapped.body.error.code).toBe('database_unavailable');
  });
});
