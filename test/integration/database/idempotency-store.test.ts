import { randomUUID } from 'node:crypto';
import { PostgresClient, PostgresIdempotencyStore, type IdempotencyClaim } from '@conveyor/database';
import { uuidv7 } from '@conveyor/contracts';
import type { DataSource } from 'typeorm';
import { openTestDataSource } from '../../support/database.util';
import { uniqueTenant } from './jobs.fixture';

const LEASE_MS = 30_000;
const TTL_MS = 86_400_000;
const FP = 'a'.repeat(64);

describe('PostgresIdempotencyStore (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let store: PostgresIdempotencyStore;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    store = new PostgresIdempotencyStore(PostgresClient.of(dataSource));
  });
  afterAll(() => dataSource.destroy());

  const claimOf = (scope: IdempotencyClaim['scope']): IdempotencyClaim => ({ scope, owner: randomUUID(), jobId: uuidv7() });
  const scope = () => ({ tenantId: uniqueTenant(), route: '/v1/chat/completions', key: `key-${randomUUID()}` });

  it('lets exactly one of 20 concurrent first requests claim a key; the others find its pending record', async () => {
    const s = scope();
    const claims = Array.from({ length: 20 }, () => claimOf(s));
    const results = await Promise.all(claims.map((c) => store.claim(c, FP, LEASE_MS, TTL_MS)));
    const winners = results.filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    const winner = claims[results.indexOf(winners[0]!)]!;
    for (const r of results.filter((x) => !x.claimed)) {
      expect(r).toEqual({ claimed: false, record: { fingerprint: FP, jobId: winner.jobId, state: 'pending', leaseExpired: false, response: null } });
    }
  });

  it('keeps keys apart per tenant and per route', async () => {
    const s = scope();
    expect((await store.claim(claimOf(s), FP, LEASE_MS, TTL_MS)).claimed).toBe(true);
    expect((await store.claim(claimOf({ ...s, tenantId: uniqueTenant() }), FP, LEASE_MS, TTL_MS)).claimed).toBe(true);
    expect((await store.claim(claimOf({ ...s, route: '/openai/v1/chat/completions' }), FP, LEASE_MS, TTL_MS)).claimed).toBe(true);
    expect((await store.claim(claimOf(s), FP, LEASE_MS, TTL_MS)).claimed).toBe(false);
  });

  it('answers the stored response once done; only the owner may complete, renew, expire or release', async () => {
    const s = scope();
    const first = claimOf(s);
    await store.claim(first, FP, LEASE_MS, TTL_MS);
    const stranger = { ...first, owner: randomUUID() };
    expect(await store.renew(stranger, LEASE_MS)).toBe(false);
    await store.complete(stranger, 'not mine');
    await store.release(stranger);
    expect(await store.renew(first, LEASE_MS)).toBe(true);
    await store.complete(first, '{"answer":1}');
    expect(await store.renew(first, LEASE_MS)).toBe(false);
    const again = await store.claim(claimOf(s), FP, LEASE_MS, TTL_MS);
    expect(again).toEqual({ claimed: false, record: expect.objectContaining({ state: 'done', jobId: first.jobId, response: '{"answer":1}' }) });
  });

  it('frees a released claim, and ends an expired one’s lease so that one later request can take it over', async () => {
    const released = scope();
    const a = claimOf(released);
    await store.claim(a, FP, LEASE_MS, TTL_MS);
    await store.release(a);
    expect((await store.claim(claimOf(released), FP, LEASE_MS, TTL_MS)).claimed).toBe(true);

    const expired = scope();
    const b = claimOf(expired);
    await store.claim(b, FP, LEASE_MS, TTL_MS);
    const live = claimOf(expired);
    expect(await store.takeOver(live, b.jobId, LEASE_MS)).toBe(false); // the lease still runs
    await store.expire(b);
    const found = await store.claim(claimOf(expired), FP, LEASE_MS, TTL_MS);
    expect(found).toEqual({ claimed: false, record: expect.objectContaining({ state: 'pending', leaseExpired: true, jobId: b.jobId }) });
    const [c, d] = [claimOf(expired), claimOf(expired)];
    expect(await Promise.all([store.takeOver(c, b.jobId, LEASE_MS), store.takeOver(d, b.jobId, LEASE_MS)])).toEqual(expect.arrayContaining([true, false]));
    await store.complete(b, 'late answer of the first request'); // no longer its claim
    const after = await store.claim(claimOf(expired), FP, LEASE_MS, TTL_MS);
    expect(after).toEqual({ claimed: false, record: expect.objectContaining({ state: 'pending', leaseExpired: false, response: null }) });
  });

  it('treats a key past its time to live as free, and sweeps it', async () => {
    const s = scope();
    const old = claimOf(s);
    await store.claim(old, FP, LEASE_MS, TTL_MS);
    await store.complete(old, 'old answer');
    await dataSource.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE tenant_id = $1`, [s.tenantId]);
    expect((await store.claim(claimOf(s), 'b'.repeat(64), LEASE_MS, TTL_MS)).claimed).toBe(true);
    const gone = scope();
    await store.claim(claimOf(gone), FP, LEASE_MS, TTL_MS);
    await dataSource.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE tenant_id = $1`, [gone.tenantId]);
    expect(await store.sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await dataSource.query('SELECT key FROM idempotency_keys WHERE tenant_id = $1', [gone.tenantId])).toEqual([]);
  });
});
