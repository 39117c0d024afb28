import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, parseAllowedHosts, parseRetrySchedule } from './webhook-settings.util';
import { loadConfig } from './conveyor-config';

describe('parseRetrySchedule', () => {
  it('parses the default schedule', () => {
    expect(parseRetrySchedule(DEFAULT_WEBHOOK_RETRY_SCHEDULE)).toEqual([5_000, 30_000, 120_000, 600_000, 3_600_000]);
  });

  it('tolerates spaces and allows an empty schedule (no retries)', () => {
    expect(parseRetrySchedule(' 10, 20 ,30 ')).toEqual([10, 20, 30]);
    expect(parseRetrySchedule('none')).toEqual([]);
  });

  it.each(['5s,30s', '5000,,30000', '-1', '0', '1.5', '86400001', 'abc'])('refuses %j', (text) => {
    expect(parseRetrySchedule(text)).toBeNull();
  });
});

describe('parseAllowedHosts', () => {
  it('splits on commas and whitespace', () => {
    expect(parseAllowedHosts('127.0.0.1, localhost\n10.0.0.0/8')).toEqual(['127.0.0.1', 'localhost', '10.0.0.0/8']);
    expect(parseAllowedHosts(undefined)).toEqual([]);
  });
});

describe('webhook settings in loadConfig', () => {
  it('has defaults: 15 s timeout, the default schedule, no allowlist, no key', () => {
    expect(loadConfig({}).webhooks).toEqual({
      timeoutMs: 15_000,
      retryScheduleMs: [5_000, 30_000, 120_000, 600_000, 3_600_000],
      allowedHosts: [],
      secretKey: undefined,
      maxEndpointsPerTenant: 10,
      replaysPerMinute: 10,
    });
  });

  it('names an invalid schedule', () => {
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE_MS: '5s' })).toThrow(/WEBHOOK_RETRY_SCHEDULE_MS/);
  });
});
