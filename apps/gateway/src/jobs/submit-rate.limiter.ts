import type { ConveyorConfig } from '@conveyor/config';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Seed 001's per-key rate limit, per tenant: a token bucket of RATE_LIMIT_SUBMITS_PER_MINUTE submissions that
 * refills continuously. It lives in this gateway replica's memory, so N replicas admit up to N times the limit.
 * 0 turns it off. Only submissions count: polling and streaming never use up the budget. Provided by a factory
 * in the gateway module (the clock is a parameter for the specs).
 */
export class SubmitRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private static readonly MAX_TENANTS = 100_000;

  constructor(
    private readonly config: ConveyorConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one submission from the tenant's budget; answers 0 if admitted, else the seconds until one is free. */
  take(tenantId: string): number {
    const perMinute = this.config.rateLimit.submitsPerMinute;
    if (perMinute === 0) return 0;
    const now = this.now();
    const bucket = this.buckets.get(tenantId) ?? { tokens: perMinute, updatedAt: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.updatedAt) / 60_000) * perMinute);
    bucket.updatedAt = now;
    if (this.buckets.size >= SubmitRateLimiter.MAX_TENANTS && !this.buckets.has(tenantId)) this.buckets.clear();
    this.buckets.set(tenantId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / perMinute));
  }
}
