import type { ConveyorConfig } from '@conveyor/config';
import { PostgresClient, PostgresTenantQuotaStore, PostgresWebhookDeliveryStore, PostgresWebhookEndpointStore } from '@conveyor/database';
import { mapException, toConveyorException } from '@conveyor/http';
import type { MessagePublisher } from '@conveyor/messaging';
import type { Pool } from 'pg';
import type { DestinationValidator } from './destination.validator';
import { WebhooksService } from './webhooks.service';

/** A pool whose every query fails as a lost database connection would. */
const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
const unreachable = new PostgresClient({ query: refused, connect: refused } as unknown as Pool);

describe('WebhooksService when the database is down', () => {
  const destinations = { assertAllowed: async (url: string) => url } as unknown as DestinationValidator;
  const config = { webhooks: { secretKey: undefined, maxEndpointsPerTenant: 10, replaysPerMinute: 10 } } as unknown as ConveyorConfig;
  const service = new WebhooksService(
    new PostgresWebhookEndpointStore(unreachable),
    new PostgresWebhookDeliveryStore(unreachable),
    config,
    destinations,
    {} as MessagePublisher,
    new PostgresTenantQuotaStore(unreachable),
  );
  const id = '01960000-0000-7000-8000-000000000001';

  it.each([
    ['create', () => service.create('t', { url: 'https://example.com/hook', event_types: ['job.completed'], description: '' })],
    ['list', () => service.list('t')],
    ['get', () => service.get('t', id)],
    ['remove', () => service.remove('t', id)],
    ['rotateSecret', () => service.rotateSecret('t', id)],
    ['enable', () => service.enable('t', id)],
    ['listDeliveries', () => service.listDeliveries('t', id, 20)],
    ['replay', () => service.replay('t', id, id)],
  ])('%s answers 503 database_unavailable with Retry-After, as the jobs API does', async (_name, call) => {
    const err = await call().then(
      () => null,
      (e: unknown) => e,
    );
    const mapped = mapException(toConveyorException(err, { error: () => undefined }));
    expect(mapped.status).toBe(503);
    expect(mapped.headers['retry-after']).toBeDefined();
    expect(mapped.body.error.code).toBe('database_unavailable');
  });
});
