import { randomUUID } from 'node:crypto';
import { hashApiKey, type ApiKeyGrant } from '@conveyor/config';
import { PostgresClient, PostgresTenantKeyStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { uniqueTenant } from './jobs.fixture';

function grant(tenantId: string): ApiKeyGrant {
  const keyHash = hashApiKey(`key-${randomUUID()}`);
  return { keyHash, tenantId, label: `key-…${keyHash.slice(0, 8)}` };
}

describe('PostgresTenantKeyStore', () => {
  let dataSource: DataSource;
  let store: PostgresTenantKeyStore;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    store = new PostgresTenantKeyStore(PostgresClient.of(dataSource));
  });
  afterAll(() => dataSource.destroy());

  const keyRows = (hashes: string[]) =>
    dataSource.query<Array<{ id: string; key_hash: string; tenant_id: string; label: string }>>(
      'SELECT id, key_hash, tenant_id, label FROM api_keys WHERE key_hash = ANY($1) ORDER BY key_hash',
      [hashes],
    );

  it('maps each key hash to its tenant, and unknown hashes to null', async () => {
    const [alice, bob] = [uniqueTenant(), uniqueTenant()];
    const grants = [grant(alice), grant(alice), grant(bob)];
    await store.bootstrap(grants);
    expect(await Promise.all(grants.map((g) => store.tenantForKeyHash(g.keyHash)))).toEqual([alice, alice, bob]);
    expect(await store.tenantForKeyHash(hashApiKey('never-configured'))).toBeNull();
    const tenants = await dataSource.query('SELECT id FROM tenants WHERE id = ANY($1) ORDER BY id', [[alice, bob]]);
    expect(tenants).toEqual([alice, bob].sort().map((id) => ({ id })));
  });

  it('is idempotent: a second bootstrap changes no row', async () => {
    const grants = [grant(uniqueTenant()), grant(uniqueTenant())];
    await store.bootstrap(grants);
    const before = await keyRows(grants.map((g) => g.keyHash));
    await store.bootstrap(grants);
    expect(await keyRows(grants.map((g) => g.keyHash))).toEqual(before);
    expect(before).toHaveLength(2);
  });

  it('survives replicas bootstrapping the same keys at once', async () => {
    const grants = Array.from({ length: 10 }, () => grant(uniqueTenant()));
    await Promise.all([store.bootstrap(grants), store.bootstrap([...grants].reverse()), store.bootstrap(grants)]);
    expect(await keyRows(grants.map((g) => g.keyHash))).toHaveLength(10);
  });

  it('moves a key to the tenant the configuration now names', async () => {
    const key = grant(uniqueTenant());
    await store.bootstrap([key]);
    const moved = { ...key, tenantId: uniqueTenant() };
    await store.bootstrap([moved]);
    expect(await store.tenantForKeyHash(key.keyHash)).toBe(moved.tenantId);
  });

  it('ignores a revoked key, and bootstrap does not revive it', async () => {
    const key = grant(uniqueTenant());
    await store.bootstrap([key]);
    await dataSource.query('UPDATE api_keys SET revoked_at = now() WHERE key_hash = $1', [key.keyHash]);
    expect(await store.tenantForKeyHash(key.keyHash)).toBeNull();
    await store.bootstrap([key]);
    expect(await store.tenantForKeyHash(key.keyHash)).toBeNull();
  });

  it('accepts an empty configuration', async () => {
    await expect(store.bootstrap([])).resolves.toBeUndefined();
  });
});
