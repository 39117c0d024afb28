import { randomUUID } from 'node:crypto';
import { PostgresClient, PostgresTenantQuotaStore } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { uniqueTenant } from './jobs.fixture';

/**
 * The per-tenant caps' store on the real PostgreSQL, with two pools standing for two replicas: claims racing on
 * both never overshoot a cap, a lease lasts while it is renewed and lapses when it is not.
 */
describe('PostgresTenantQuotaStore (two pools, as two replicas)', () => {
  let pools: DataSource[];
  let stores: PostgresTenantQuotaStore[];

  beforeAll(async () => {
    pools = [await openTestDataSource(), await openTestDataSource()];
    stores = pools.map((ds) => new PostgresTenantQuotaStore(PostgresClient.of(ds)));
  });
  afterAll(() => Promise.all(pools.map((ds) => ds.destroy())));

  const lease = (tenantId: string, ttlMs = 60_000) => ({ id: randomUUID(), tenantId, holder: 'test', ttlMs });
  const acquire = async (store: PostgresTenantQuotaStore, l: ReturnType<typeof lease>, cap: number) => (await store.acquireStreamLeases([l], cap))[0];
  const live = async (tenantId: string) =>
    Number((await pools[0]!.query('SELECT count(*) AS n FROM stream_leases WHERE tenant_id = $1 AND expires_at > now()', [tenantId]))[0].n);

  it('grants exactly the cap when many claims race on both replicas', async () => {
    const tenant = uniqueTenant();
    const granted = await Promise.all(Array.from({ length: 24 }, (_, i) => acquire(stores[i % 2]!, lease(tenant), 5)));
    expect(granted.filter(Boolean)).toHaveLength(5);
    expect(await live(tenant)).toBe(5);
    expect(await acquire(stores[0]!, lease(uniqueTenant()), 5)).toBe(true); // another tenant is not affected
  });

  it("grants a batch's claims in order while each tenant has room, one answer per claim", async () => {
    const [a, b] = [uniqueTenant(), uniqueTenant()];
    expect(await stores[0]!.acquireStreamLeases([lease(a), lease(b), lease(a), lease(a), lease(b), lease(a)], 3)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    expect(await stores[1]!.acquireStreamLeases([lease(b), lease(a), lease(b)], 3)).toEqual([true, false, false]);
    expect([await live(a), await live(b)]).toEqual([3, 3]);
  });

  it('grants exactly the cap per tenant when batches race on both replicas', async () => {
    const [a, b] = [uniqueTenant(), uniqueTenant()];
    const batch = () => Array.from({ length: 10 }, (_, i) => lease(i % 2 ? a : b));
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => stores[i % 2]!.acquireStreamLeases(batch(), 7)));
    expect(answers.flat().filter(Boolean)).toHaveLength(14);
    expect([await live(a), await live(b)]).toEqual([7, 7]);
  });

  it('frees a slot on release, and lets a lease that was not renewed lapse', async () => {
    const tenant = uniqueTenant();
    const held = [lease(tenant, 1_000), lease(tenant, 1_000)];
    for (const l of held) expect(await acquire(stores[0]!, l, 2)).toBe(true);
    expect(await acquire(stores[1]!, lease(tenant), 2)).toBe(false);
    await stores[0]!.releaseStreamLeases([held[0]!.id]);
    const third = lease(tenant, 1_000);
    expect(await acquire(stores[1]!, third, 2)).toBe(true);
    // Renewed, `third` outlives its first TTL; `held[1]`, not renewed, lapses and its slot is taken again.
    await new Promise((r) => setTimeout(r, 600));
    await stores[1]!.renewStreamLeases([third.id], 1_000);
    await new Promise((r) => setTimeout(r, 600));
    expect(await acquire(stores[0]!, lease(tenant), 2)).toBe(true);
    expect(await acquire(stores[0]!, lease(tenant), 2)).toBe(false);
  });

  it('counts a windowed action exactly up to its limit across replicas, and says when the window ends', async () => {
    const tenant = uniqueTenant();
    const windowMs = 3_600_000;
    const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.takeFromWindow(tenant, 'replay', 5, windowMs)));
    const windows = await pools[0]!.query('SELECT count FROM tenant_rate_windows WHERE tenant_id = $1', [tenant]);
    // All twenty fell in one window unless the hour turned meanwhile; then each window admits up to the limit.
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(5 * windows.length);
    for (const v of verdicts) {
      if (v.allowed) continue;
      expect(v.retryAfterS).toBeGreaterThanOrEqual(1);
      expect(v.retryAfterS).toBeLessThanOrEqual(3_600);
    }
    expect(await stores[0]!.takeFromWindow(uniqueTenant(), 'replay', 5, windowMs)).toEqual({ allowed: true });
  });
});
