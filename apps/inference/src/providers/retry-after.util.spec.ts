import { googleRetryDelayMs, retryAfterMs } from './retry-after.util';

const headers = (values: Record<string, string>) => new Headers(values);

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delta-seconds, fractions included', () => {
    expect(retryAfterMs(headers({ 'retry-after': '7' }), now)).toBe(7_000);
    expect(retryAfterMs(headers({ 'retry-after': '0.5' }), now)).toBe(500);
  });

  it('reads an HTTP date as the time left until then, never negative', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toBe(30_000);
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }), now)).toBe(0);
  });

  it('prefers retry-after-ms over retry-after', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1250', 'retry-after': '9' }), now)).toBe(1_250);
  });

  it('ignores absent, negative and unparseable values', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': '-3' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after-ms': 'x', 'retry-after': '2' }), now)).toBe(2_000);
  });
});

describe('googleRetryDelayMs', () => {
  it("reads google.rpc.RetryInfo's retryDelay from an error body", () => {
    const body = {
      error: {
        code: 429,
        details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure' }, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12.5s' }],
      },
    };
    expect(googleRetryDelayMs(body)).toBe(12_500);
  });

  it('gives undefined without RetryInfo', () => {
    expect(googleRetryDelayMs({ error: { code: 500, details: [] } })).toBeUndefined();
    expect(googleRetryDelayMs(undefined)).toBeUndefined();
  });
});
