import { randomUUID } from 'node:crypto';
import { PostgresClient, PostgresTenantSettingsStore, ProviderKeyCipher } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';

/** Tenants' own settings (`/v1/settings`) on the real PostgreSQL: partial merges, sealed keys, the version. */
describe('PostgresTenantSettingsStore', () => {
  let dataSource: DataSource;
  let store: PostgresTenantSettingsStore;
  const cipher = new ProviderKeyCipher('integration-settings-key-01');

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    store = new PostgresTenantSettingsStore(PostgresClient.of(dataSource));
  });
  afterAll(() => dataSource.destroy());

  async function newTenant(): Promise<string> {
    const id = `tenant-${randomUUID()}`;
    await dataSource.query('INSERT INTO tenants (id) VALUES ($1)', [id]);
    return id;
  }

  it('answers nothing stored for a tenant that never changed anything', async () => {
    const tenant = await newTenant();
    expect(await store.find(tenant)).toEqual({ bands: {}, providerKeys: [], updatedAt: null, version: null });
    expect(await store.sealedKeys(tenant)).toEqual({ keys: new Map(), version: null });
  });

  it('merges partial band updates field by field, also when two arrive at once', async () => {
    const tenant = await newTenant();
    await store.apply(tenant, { bands: { high: { tokens: 100, latency_ms: 300 } } });
    await Promise.all([
      store.apply(tenant, { bands: { high: { tokens: 50 } } }),
      store.apply(tenant, { bands: { low: { latency_ms: 9000 } } }),
      store.apply(tenant, { bands: { normal: { tokens: 7 } } }),
    ]);
    expect((await store.find(tenant)).bands).toEqual({ high: { tokens: 50, latency_ms: 300 }, low: { latency_ms: 9000 }, normal: { tokens: 7 } });
  });

  it('stores a key sealed with its last four, replaces it, removes it, and moves the version on each change', async () => {
    const tenant = await newTenant();
    const first = await store.apply(tenant, { providerKey: { deployment: 'gpt-main', sealed: cipher.seal('sk-one-1111', tenant, 'gpt-main'), last4: '1111' } });
    expect(first.providerKeys).toEqual([{ deployment: 'gpt-main', last4: '1111', updatedAt: expect.any(Date) }]);
    const v1 = (await store.sealedKeys(tenant)).version!;
    expect(v1).toBe(first.version);
    expect(v1).toMatch(/^\d{20}$/);
    expect(Number(v1) / 1000).toBeCloseTo(first.updatedAt!.getTime(), -1);
    const second = await store.apply(tenant, {
      providerKey: { deployment: 'gpt-main', sealed: cipher.seal('sk-two-2222', tenant, 'gpt-main'), last4: '2222' },
    });
    expect(second.providerKeys.map((k) => k.last4)).toEqual(['2222']);
    const { keys, version: v2 } = await store.sealedKeys(tenant);
    expect(cipher.open(keys.get('gpt-main')!, tenant, 'gpt-main')).toBe('sk-two-2222');
    expect(v2! > v1).toBe(true);
    const [row] = await dataSource.query('SELECT sealed_key FROM tenant_provider_keys WHERE tenant_id = $1', [tenant]);
    expect(row.sealed_key).not.toContain('sk-two');
    const removed = await store.apply(tenant, { providerKey: { deployment: 'gpt-main', sealed: null } });
    expect(removed.providerKeys).toEqual([]);
    const after = await store.sealedKeys(tenant);
    expect(after.keys.size).toBe(0);
    expect(after.version! > v2!).toBe(true);
  });

  it("keeps each tenant's settings to itself", async () => {
    const [a, b] = [await newTenant(), await newTenant()];
    await store.apply(a, { bands: { high: { tokens: 1 } }, providerKey: { deployment: 'd', sealed: cipher.seal('sk-aaaa-aaaa', a, 'd'), last4: 'aaaa' } });
    expect(await store.find(b)).toEqual({ bands: {}, providerKeys: [], updatedAt: null, version: null });
    expect((await store.sealedKeys(b)).keys.size).toBe(0);
  });
});
