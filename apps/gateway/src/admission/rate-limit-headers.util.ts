import { msUntilFull, remainingOf, type BucketState } from './token-bucket.util';

/** A limit as the headers report it: its per-minute rate, and the bucket that enforces it. */
export interface LimitReport {
  perMinute: number;
  bucket: BucketState;
}

/**
 * A duration as OpenAI writes `x-ratelimit-reset-*` (Go's time.Duration): `0s`, `120ms`, `1s`, `17.5s`, `6m0s`,
 * `1h2m3s`. Milliseconds are the finest unit; below a second it says `ms`.
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = (total % 60_000) / 1000;
  const s = `${Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${s}`;
  if (minutes > 0) return `${minutes}m${s}`;
  return s;
}

/**
 * OpenAI's rate limit headers for the limits that apply: `x-ratelimit-limit-requests` (the requests per minute),
 * `-remaining-requests` (whole requests the bucket admits now) and `-reset-requests` (until it is full again), and
 * the same three for tokens. A kind with no limit gets no headers.
 */
export function rateLimitHeaders(requests: LimitReport | null, tokens: LimitReport | null): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [kind, report] of [
    ['requests', requests],
    ['tokens', tokens],
  ] as const) {
    if (!report) continue;
    headers[`x-ratelimit-limit-${kind}`] = String(report.perMinute);
    headers[`x-ratelimit-remaining-${kind}`] = String(remainingOf(report.bucket));
    headers[`x-ratelimit-reset-${kind}`] = formatDuration(msUntilFull(report.bucket));
  }
  return headers;
}
