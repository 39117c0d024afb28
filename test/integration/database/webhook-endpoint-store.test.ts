import { randomUUID } from 'node:crypto';
import { PostgresClient, PostgresWebhookEndpointStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { uniqueTenant } from './jobs.fixture';

describe('PostgresWebhookEndpointStore subscriptions', () => {
  let dataSource: DataSource;
  let store: PostgresWebhookEndpointStore;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    store = new PostgresWebhookEndpointStore(PostgresClient.of(dataSource));
  });
  afterAll(() => dataSource.destroy());

  const endpoint = async (tenantId: string, eventTypes: string[]) =>
    (await store.create({ id: randomUUID(), tenantId, url: 'https://hooks.example.com/x', description: '', eventTypes, sealedSecret: 'plain:whsec_x' }, 10))!;

  it('hasSubscribed agrees with subscribed: enabled endpoints of the tenant for that event type only', async () => {
    const tenant = uniqueTenant();
    expect(await store.hasSubscribed(tenant, 'job.completed')).toBe(false);
    const failedOnly = await endpoint(tenant, ['job.failed']);
    expect(await store.hasSubscribed(tenant, 'job.completed')).toBe(false);
    expect(await store.hasSubscribed(tenant, 'job.failed')).toBe(true);
    expect((await store.subscribed(tenant, 'job.failed')).map((e) => e.id)).toEqual([failedOnly.id]);
    await store.disable(failedOnly.id, 'gone');
    expect(await store.hasSubscribed(tenant, 'job.failed')).toBe(false);
    expect(await store.subscribed(tenant, 'job.failed')).toEqual([]);
    await endpoint(tenant, ['job.completed', 'job.failed']);
    expect(await store.hasSubscribed(tenant, 'job.completed')).toBe(true);
    expect(await store.hasSubscribed(uniqueTenant(), 'job.completed')).toBe(false);
  });
});
