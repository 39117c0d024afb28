import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from './stats.util';
import untypedAutocannon from 'autocannon';

/** The parts of autocannon's programmatic API used here (it ships no types; @types/autocannon is not installed). */
interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  overallRate: number;
  duration: number;
  timeout?: number;
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): void;
}
const autocannon = untypedAutocannon as (options: AutocannonOptions) => AutocannonInstance;

export interface FixedRateRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What one fixed-rate phase measured. Latencies are of 2xx answers only; anything else counts as an error. */
export interface RateOutcome {
  offeredRps: number;
  achievedRps: number;
  ok: number;
  errors: number;
  connections: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/**
 * Connections for an offered rate: each carries at most 50 req/s, so the client can hold the rate while the mean
 * answer takes up to 20 ms, and a server that slows down shows as latency and a lower achieved rate, not as the
 * client running out of sockets.
 */
export const connectionsFor = (rps: number): number => Math.min(256, Math.max(10, Math.ceil(rps / 50)));

/**
 * autocannon paces `overallRate` per connection per second: each connection sends its share back to back, then
 * waits for the next second, so one instance offers a burst each second, not a rate. The load is therefore split
 * over SLICES instances started 1000/SLICES ms apart: their bursts interleave, and the offered load is even at a
 * 100 ms grain.
 */
const SLICES = 10;

/** The i-th of n near-equal parts of `total` (the first `total % n` get one more). */
const share = (total: number, n: number, i: number) => Math.floor(total / n) + (i < total % n ? 1 : 0);

/**
 * Offers `rps` requests per second for `seconds` and times every answer from autocannon's own `response` events, so
 * percentiles come from the raw samples (not from a histogram corrected for coordinated omission).
 */
export async function fixedRate(request: FixedRateRequest, rps: number, seconds: number): Promise<RateOutcome> {
  const connections = connectionsFor(rps);
  const slices = Math.min(SLICES, connections, rps);
  const latencies: number[] = [];
  let otherStatus = 0;
  const runs = Array.from({ length: slices }, async (_, i) => {
    await sleep((i * 1000) / slices);
    const instance = autocannon({
      url: request.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
      connections: share(connections, slices, i),
      overallRate: share(rps, slices, i),
      duration: seconds,
      timeout: 10,
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
      else otherStatus++;
    });
    return instance;
  });
  const results: AutocannonResult[] = await Promise.all(runs);
  const sum = (f: (r: AutocannonResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const elapsed = Math.max(seconds, sum((r) => r.duration) / results.length);
  return {
    offeredRps: rps,
    achievedRps: latencies.length / elapsed,
    ok: latencies.length,
    errors:
      Math.max(
        otherStatus,
        sum((r) => r.non2xx),
      ) +
      sum((r) => r.errors) +
      sum((r) => r.timeouts),
    connections,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
  };
}
