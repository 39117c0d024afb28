import { Inject, Injectable } from '@nestjs/common';
import type { RateLimit } from '@conveyor/config';
import { RATE_BUCKET_STORE, type BucketDemand, type BucketLevel, type RateBucketStore } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { rateLimitHeaders, type LimitReport } from './rate-limit-headers.util';
import { msUntil, tightest, type BucketState } from './token-bucket.util';

/** Who a request is charged to, and its limits. */
export interface RateSubject {
  tenantId: string;
  /** The API key's SHA-256; null when the submit does not come from a request (no per-key limit then). */
  keyHash: string | null;
  tenant: RateLimit;
  key: RateLimit;
}

/** A bucket the check takes from, with the limit it enforces (for the headers). */
interface Demand extends BucketDemand {
  kind: 'requests' | 'tokens';
  perMinute: number;
}

/**
 * Requests and tokens per minute, per tenant and per API key, in token buckets every gateway replica shares
 * (RateBucketStore): one statement charges all of a request's buckets or none. A request without any limit costs
 * no round trip. Answers OpenAI's `x-ratelimit-*` headers, or throws the 429 with them and `Retry-After`.
 */
@Injectable()
export class RateLimitService {
  constructor(@Inject(RATE_BUCKET_STORE) private readonly buckets: RateBucketStore) {}

  /** Whether any tokens-per-minute limit applies, so the caller estimates the request's tokens only then. */
  countsTokens(subject: RateSubject): boolean {
    return subject.tenant.tpm !== null || (subject.keyHash !== null && subject.key.tpm !== null);
  }

  /** Charges the request (`tokens`: its estimate, reserved for `jobId` until its real usage is known); answers the headers. */
  async take(subject: RateSubject, jobId: string, tokens: number): Promise<Record<string, string>> {
    const demands = demandsOf(subject, tokens);
    if (demands.length === 0) return {};
    const tooLarge = demands.find((d) => d.cost > d.capacity);
    if (tooLarge) {
      const scope = tooLarge.key.includes(':key:') ? 'API key' : 'tenant';
      throw new ConveyorException(
        ErrorCode.RateLimited,
        `Request too large for this ${scope} on tokens per min (TPM): Limit ${tooLarge.perMinute}, Requested ${tokens}. Lower max_tokens or the prompt.`,
        null,
        undefined,
        { 'x-should-retry': 'false' },
      );
    }
    const tpmKeys = demands.filter((d) => d.kind === 'tokens').map((d) => d.key);
    const reservation = tpmKeys.length > 0 ? { jobId, tenantId: subject.tenantId, bucketKeys: tpmKeys, estimatedTokens: tokens } : null;
    const check = await this.buckets.take(demands, reservation);
    const after = statesAfter(demands, check.levels, check.admitted);
    const headers = rateLimitHeaders(report(demands, after, 'requests'), report(demands, after, 'tokens'));
    if (check.admitted) return headers;
    const waitMs = Math.max(...demands.map((d, i) => msUntil(after[i]!, d.cost)).filter(Number.isFinite), 1);
    const short = demands.find((d, i) => after[i]!.level < d.cost) ?? demands[0]!;
    const what = short.kind === 'requests' ? `${short.perMinute} requests per minute` : `${short.perMinute} tokens per minute`;
    throw new ConveyorException(
      ErrorCode.RateLimited,
      `Rate limit reached for this ${short.key.includes(':key:') ? 'API key' : 'tenant'}: ${what}. Try again in ${Math.ceil(waitMs / 1000)} s.`,
      null,
      Math.ceil(waitMs / 1000),
      { ...headers, 'retry-after-ms': String(waitMs) },
    );
  }
}

function demandsOf(subject: RateSubject, tokens: number): Demand[] {
  const demands: Demand[] = [];
  const add = (scope: string, limit: RateLimit) => {
    if (limit.rpm !== null) {
      demands.push({ key: `rpm:${scope}`, kind: 'requests', perMinute: limit.rpm, capacity: limit.burst ?? limit.rpm, perSecond: limit.rpm / 60, cost: 1 });
    }
    if (limit.tpm !== null) {
      demands.push({ key: `tpm:${scope}`, kind: 'tokens', perMinute: limit.tpm, capacity: limit.tpm, perSecond: limit.tpm / 60, cost: tokens });
    }
  };
  add(`tenant:${subject.tenantId}`, subject.tenant);
  if (subject.keyHash !== null) add(`key:${subject.keyHash}`, subject.key);
  return demands;
}

/** Each bucket's state after the check: charged if the request was admitted, as found otherwise. */
function statesAfter(demands: readonly Demand[], levels: readonly BucketLevel[], admitted: boolean): BucketState[] {
  const byKey = new Map(levels.map((l) => [l.key, l.level]));
  return demands.map((d) => {
    const level = byKey.get(d.key) ?? d.capacity;
    return { capacity: d.capacity, perSecond: d.perSecond, level: admitted ? level - d.cost : level };
  });
}

function report(demands: readonly Demand[], states: readonly BucketState[], kind: Demand['kind']): LimitReport | null {
  const ofKind = demands.map((d, i) => ({ d, s: states[i]! })).filter(({ d }) => d.kind === kind);
  const bucket = tightest(ofKind.map(({ s }) => s));
  const match = ofKind.find(({ s }) => s === bucket);
  return match ? { perMinute: match.d.perMinute, bucket: match.s } : null;
}
