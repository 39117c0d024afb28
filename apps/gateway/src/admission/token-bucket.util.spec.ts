import { msUntil, msUntilFull, remainingOf, tightest, type BucketState } from './token-bucket.util';

/** 60 requests per minute with a burst of 10: one token a second into a bucket of 10. */
const seed001 = (level: number): BucketState => ({ capacity: 10, perSecond: 1, level });

describe('token bucket arithmetic', () => {
  it('counts whole tokens left, a float a hair below an integer as that integer, a debt as none', () => {
    expect(remainingOf(seed001(10))).toBe(10);
    expect(remainingOf(seed001(3.7))).toBe(3);
    expect(remainingOf(seed001(0.9999999999))).toBe(1);
    expect(remainingOf(seed001(0.2))).toBe(0);
    expect(remainingOf({ capacity: 1000, perSecond: 1000 / 60, level: -250 })).toBe(0);
  });

  it('waits for the missing part of a request at the refill rate, rounded up to the millisecond', () => {
    expect(msUntil(seed001(0), 1)).toBe(1000);
    expect(msUntil(seed001(0.25), 1)).toBe(750);
    expect(msUntil(seed001(1), 1)).toBe(0);
    // 600 tokens per minute: 10 a second; 350 missing → 35 s
    expect(msUntil({ capacity: 600, perSecond: 10, level: 50 }, 400)).toBe(35_000);
  });

  it('never admits a request larger than the bucket, and a debt must be paid off first', () => {
    expect(msUntil({ capacity: 600, perSecond: 10, level: 600 }, 601)).toBe(Infinity);
    expect(msUntil({ capacity: 600, perSecond: 10, level: -100 }, 100)).toBe(20_000);
  });

  it('is full again after the missing tokens have refilled', () => {
    expect(msUntilFull(seed001(10))).toBe(0);
    expect(msUntilFull(seed001(4))).toBe(6_000);
    expect(msUntilFull({ capacity: 100_000, perSecond: 100_000 / 60, level: 0 })).toBe(60_000);
  });

  it('reports the bucket with the fewest tokens left, then the slowest to refill', () => {
    const key = seed001(2);
    const tenant = { capacity: 100, perSecond: 100 / 60, level: 50 };
    expect(tightest([tenant, key])).toBe(key);
    const slow = { capacity: 10, perSecond: 0.1, level: 2 };
    expect(tightest([key, slow])).toBe(slow);
    expect(tightest([])).toBeNull();
  });
});
