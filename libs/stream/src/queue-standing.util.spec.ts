import type { QueuedCount } from '@conveyor/database';
import { bandsFrom, standingOf, type StandingInputs } from './queue-standing.util';

const SHARDS: Record<string, number> = { a: 0, a2: 0, b: 1, c: 2 };
const inputs = (over: Partial<StandingInputs> = {}): StandingInputs => ({
  band: 'normal',
  shardOfTenant: (t) => SHARDS[t]!,
  weightOf: () => 1,
  ownShard: 0,
  ...over,
});
const count = (band: QueuedCount['band'], tenantId: string, total: number, before = 0): QueuedCount => ({ band, tenantId, total, before });

describe('bandsFrom', () => {
  it('is the band and those above it', () => {
    expect(bandsFrom('high')).toEqual(['high']);
    expect(bandsFrom('low')).toEqual(['high', 'normal', 'low']);
  });
});

describe('standingOf', () => {
  it('is first of its band when nothing else is queued', () => {
    expect(standingOf([count('normal', 'a', 1, 0)], inputs())).toEqual({ position: 1, aheadInHigherBands: 0 });
  });

  it('counts higher bands apart: all of them start first', () => {
    expect(standingOf([count('high', 'b', 7), count('normal', 'a', 1)], inputs())).toEqual({ position: 1, aheadInHigherBands: 7 });
  });

  it('within its shard, counts the jobs queued before it, whichever tenant of the shard they belong to', () => {
    expect(standingOf([count('normal', 'a', 10, 4), count('normal', 'a2', 3, 2)], inputs()).position).toBe(7);
  });

  it('lets each other shard start as many jobs as this one, or all it holds if fewer', () => {
    // 4 before it in its shard: 5 turns; b holds 5000 (takes 5), c holds 2 (takes 2).
    expect(standingOf([count('normal', 'a', 5000, 4), count('normal', 'b', 5000, 4999), count('normal', 'c', 2, 2)], inputs()).position).toBe(5 + 5 + 2);
  });

  it('a deep backlog in another shard costs a newcomer one turn, not the backlog (fair share)', () => {
    // Tenant b's 50th job, with a's 5,000 queued before it in another shard: 49 before it, 50 of a's interleave.
    const s = standingOf([count('normal', 'a', 5000, 5000), count('normal', 'b', 50, 49)], inputs({ ownShard: 1 }));
    expect(s.position).toBe(49 + 50 + 1);
  });

  it('scales the other shards by weight', () => {
    const weightOf = (t: string) => (t === 'b' ? 3 : 1);
    // 1 before it: 2 turns; b (weight 3) starts 6 in that time.
    expect(standingOf([count('normal', 'a', 2, 1), count('normal', 'b', 100, 0)], inputs({ weightOf })).position).toBe(2 + 6);
  });
});
