import type { ConveyorConfig } from '@conveyor/config';
import { SubmitRateLimiter } from './submit-rate.limiter';

const limiter = (perMinute: number, clock: { t: number }) =>
  new SubmitRateLimiter({ rateLimit: { submitsPerMinute: perMinute } } as ConveyorConfig, () => clock.t);

describe('SubmitRateLimiter', () => {
  it('admits a full minute of submissions at once, then tells how long until the next', () => {
    const clock = { t: 0 };
    const l = limiter(3, clock);
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual([0, 0, 0]);
    expect(l.take('a')).toBe(20); // one of 3 per minute frees up every 20 s
  });

  it('refills over time and keeps tenants apart', () => {
    const clock = { t: 0 };
    const l = limiter(2, clock);
    l.take('a');
    l.take('a');
    expect(l.take('a')).toBeGreaterThan(0);
    expect(l.take('b')).toBe(0);
    clock.t = 30_000;
    expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBeGreaterThan(0);
  });

  it('is off at 0', () => {
    const l = limiter(0, { t: 0 });
    for (let i = 0; i < 1000; i += 1) expect(l.take('a')).toBe(0);
  });
});
