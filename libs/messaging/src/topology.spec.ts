import {
  assertRetryTiers,
  bandOfQueue,
  DEFAULT_TOPOLOGY,
  jobQueues,
  jobRetryTierQueue,
  queueSpecs,
  replyKeyOf,
  RETRY_DELAY_TIERS_MS,
  retryTierFor,
  retryTierQueue,
  retryTierQueues,
  shardOf,
} from './topology';

describe('retry delay tiers', () => {
  it('rounds a delay up to the smallest tier at least as long, and caps it at the longest', () => {
    expect(retryTierFor(1)).toBe(1_000);
    expect(retryTierFor(200)).toBe(1_000);
    expect(retryTierFor(1_000)).toBe(1_000);
    expect(retryTierFor(1_001)).toBe(5_000);
    expect(retryTierFor(45_000)).toBe(120_000);
    expect(retryTierFor(86_400_000)).toBe(21_600_000);
    expect(retryTierFor(700, [250, 500])).toBe(500);
  });

  it('puts the default webhook schedule and RETRY_DELAY_MS exactly on tiers', () => {
    for (const delay of [5_000, 30_000, 120_000, 600_000, 3_600_000]) expect(retryTierFor(delay)).toBe(delay);
  });

  it('names each delay queue after its queue and tier', () => {
    expect(retryTierQueues('conveyor.webhooks')).toEqual([
      'conveyor.webhooks.retry.1s',
      'conveyor.webhooks.retry.5s',
      'conveyor.webhooks.retry.30s',
      'conveyor.webhooks.retry.2m',
      'conveyor.webhooks.retry.10m',
      'conveyor.webhooks.retry.1h',
      'conveyor.webhooks.retry.6h',
    ]);
    expect(retryTierQueue('q', 250)).toBe('q.retry.250ms');
    expect(retryTierQueue('q', 1_500)).toBe('q.retry.1500ms');
  });

  it('never names a delay queue like a queue of the topology or an older release', () => {
    const queues = queueSpecs(DEFAULT_TOPOLOGY);
    const names = [...queues.filter((q) => q.retry === 'own').flatMap((q) => retryTierQueues(q.name)), ...RETRY_DELAY_TIERS_MS.map(jobRetryTierQueue)];
    expect(new Set(names).size).toBe(names.length);
    expect(names.some((n) => queues.some((q) => q.name === n || `${q.name}.retry` === n))).toBe(false);
  });

  it('refuses tier lists the adapters cannot use', () => {
    expect(() => assertRetryTiers(RETRY_DELAY_TIERS_MS)).not.toThrow();
    for (const bad of [[], [0], [5_000, 1_000], [1_000, 1_000], [1.5]]) expect(() => assertRetryTiers(bad)).toThrow(/retry tiers/);
  });
});

describe('job shards', () => {
  it("lists every shard queue, highest band first, and knows each queue's band", () => {
    expect(jobQueues({ jobShards: 2 })).toEqual([
      'conveyor.jobs.high.0',
      'conveyor.jobs.high.1',
      'conveyor.jobs.normal.0',
      'conveyor.jobs.normal.1',
      'conveyor.jobs.low.0',
      'conveyor.jobs.low.1',
    ]);
    expect(bandOfQueue('conveyor.jobs.low.1')).toBe('low');
    expect(bandOfQueue('conveyor.persistence')).toBeNull();
    expect(bandOfQueue('conveyor.jobs.retry.1s')).toBeNull();
  });

  it('puts a tenant on one shard, spreads tenants over all of them, and moves them with the salt', () => {
    const options = { jobShards: 4 };
    expect(shardOf('tenant-alice', options)).toBe(shardOf('tenant-alice', options));
    const used = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`tenant-${i}`, options)));
    expect([...used].sort()).toEqual([0, 1, 2, 3]);
    const moved = Array.from({ length: 200 }, (_, i) => `tenant-${i}`).filter((t) => shardOf(t, options) !== shardOf(t, { ...options, shardSalt: 's' }));
    expect(moved.length).toBeGreaterThan(100);
  });

  it('makes a reply key one routing key, whatever the replica id holds', () => {
    expect(replyKeyOf('gw-1')).toBe('reply.gw-1');
    expect(replyKeyOf('host.example.com-42')).toBe('reply.host-example-com-42');
    expect(replyKeyOf('a*b#c')).toBe('reply.a-b-c');
  });
});
