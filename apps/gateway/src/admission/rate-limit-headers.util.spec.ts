import { formatDuration, rateLimitHeaders } from './rate-limit-headers.util';

describe('formatDuration (OpenAI x-ratelimit-reset-*)', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [0.2, '1ms'],
    [120, '120ms'],
    [999, '999ms'],
    [1000, '1s'],
    [17_500, '17.5s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [90_500, '1m30.5s'],
    [3_723_000, '1h2m3s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('rateLimitHeaders', () => {
  it('reports requests and tokens: the per-minute limit, whole tokens left, time until full', () => {
    const headers = rateLimitHeaders(
      { perMinute: 60, bucket: { capacity: 10, perSecond: 1, level: 6.4 } },
      { perMinute: 6000, bucket: { capacity: 6000, perSecond: 100, level: 5000 } },
    );
    expect(headers).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '6',
      'x-ratelimit-reset-requests': '3.6s',
      'x-ratelimit-limit-tokens': '6000',
      'x-ratelimit-remaining-tokens': '5000',
      'x-ratelimit-reset-tokens': '10s',
    });
  });

  it('leaves out a kind without a limit, and reports a debt as nothing left', () => {
    expect(rateLimitHeaders(null, { perMinute: 600, bucket: { capacity: 600, perSecond: 10, level: -20 } })).toEqual({
      'x-ratelimit-limit-tokens': '600',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '1m2s',
    });
    expect(rateLimitHeaders(null, null)).toEqual({});
  });
});
