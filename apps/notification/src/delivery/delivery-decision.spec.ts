import { decideAfterAttempt } from './delivery-decision';
import { retryAfterMs, type AttemptResult } from './webhook-http.client';

const answer = (statusCode: number | null, extra: Partial<AttemptResult> = {}): AttemptResult => ({
  statusCode,
  latencyMs: 12,
  retryAfterMs: null,
  error: statusCode === null ? 'connection_failed' : null,
  ...extra,
});
const schedule = [5_000, 30_000, 120_000];

describe('decideAfterAttempt', () => {
  it.each([200, 201, 204, 299])('counts %i as success', (code) => {
    expect(decideAfterAttempt(answer(code), 1, schedule)).toEqual({ outcome: { status: 'succeeded' }, deadLetter: false });
  });

  it.each([301, 302, 307, 400, 404, 500, 502, null])('retries %s on the schedule', (code) => {
    expect(decideAfterAttempt(answer(code), 1, schedule).outcome).toEqual({ status: 'pending', retryInMs: 5_000 });
    expect(decideAfterAttempt(answer(code), 3, schedule).outcome).toEqual({ status: 'pending', retryInMs: 120_000 });
  });

  it('gives up after the last step and dead-letters, naming the last failure', () => {
    expect(decideAfterAttempt(answer(500), 4, schedule)).toEqual({
      outcome: { status: 'dead', reason: 'retries_exhausted after 4 attempts: HTTP 500' },
      deadLetter: true,
    });
  });

  it('stops at once on 410 without dead-lettering', () => {
    expect(decideAfterAttempt(answer(410), 1, schedule)).toEqual({
      outcome: { status: 'dead', reason: 'endpoint_gone: the receiver answered 410' },
      deadLetter: false,
    });
  });

  it.each([429, 503])('honours a longer Retry-After on %i, capped at a day', (code) => {
    expect(decideAfterAttempt(answer(code, { retryAfterMs: 60_000 }), 1, schedule).outcome).toEqual({ status: 'pending', retryInMs: 60_000 });
    expect(decideAfterAttempt(answer(code, { retryAfterMs: 1_000 }), 1, schedule).outcome).toEqual({ status: 'pending', retryInMs: 5_000 });
    expect(decideAfterAttempt(answer(code, { retryAfterMs: 10 ** 10 }), 1, schedule).outcome).toEqual({ status: 'pending', retryInMs: 86_400_000 });
  });

  it('ignores Retry-After on other statuses', () => {
    expect(decideAfterAttempt(answer(500, { retryAfterMs: 60_000 }), 1, schedule).outcome).toEqual({ status: 'pending', retryInMs: 5_000 });
  });

  it('with an empty schedule makes one attempt only', () => {
    expect(decideAfterAttempt(answer(500), 1, []).outcome.status).toBe('dead');
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Tue, 01 Jan 2030 00:00:30 GMT', now)).toBe(30_000);
  });
  it('answers null for nothing or nonsense', () => {
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
  });
});
