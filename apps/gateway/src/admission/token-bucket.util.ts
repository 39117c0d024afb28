/**
 * A token bucket as a check left it: `capacity` tokens at most, refilled at `perSecond`, holding `level` now
 * (after this request's cost when it was admitted). The refill and the charge themselves happen in the database
 * (see PostgresRateBucketStore); this is what the gateway derives from the result.
 */
export interface BucketState {
  capacity: number;
  perSecond: number;
  level: number;
}

/** Levels are floats in the database: a level of 0.9999999999 after many refills is one token. */
const EPSILON = 1e-9;

/** Whole tokens left (never negative: a level below 0 is a debt from usage beyond its estimate). */
export function remainingOf(bucket: BucketState): number {
  return Math.max(0, Math.floor(bucket.level + EPSILON));
}

/** Milliseconds until the bucket holds `amount`, rounded up; 0 if it does already; Infinity if it never can. */
export function msUntil(bucket: BucketState, amount: number): number {
  if (bucket.level + EPSILON >= amount) return 0;
  if (amount > bucket.capacity || bucket.perSecond <= 0) return Infinity;
  return Math.ceil(((amount - bucket.level) / bucket.perSecond) * 1000);
}

/** Milliseconds until the bucket is full again (OpenAI's `x-ratelimit-reset-*`). */
export function msUntilFull(bucket: BucketState): number {
  return msUntil(bucket, bucket.capacity);
}

/** The bucket that constrains most: the one with the fewest whole tokens left, then the one that takes longest to refill. */
export function tightest(buckets: readonly BucketState[]): BucketState | null {
  let tight: BucketState | null = null;
  for (const bucket of buckets) {
    if (!tight || remainingOf(bucket) < remainingOf(tight) || (remainingOf(bucket) === remainingOf(tight) && msUntilFull(bucket) > msUntilFull(tight))) {
      tight = bucket;
    }
  }
  return tight;
}
