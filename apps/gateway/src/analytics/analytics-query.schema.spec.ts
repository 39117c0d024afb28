import { ConveyorException, parseOrThrow } from '@conveyor/http';
import { AnalyticsQuerySchema } from './analytics-query.schema';

const parse = (query: Record<string, unknown>) => parseOrThrow(AnalyticsQuerySchema, query, 'query string');

function paramOf(query: Record<string, unknown>): string | null {
  try {
    parse(query);
  } catch (err) {
    expect(err).toBeInstanceOf(ConveyorException);
    return (err as ConveyorException).param;
  }
  throw new Error('expected the query string to be rejected');
}

describe('GET /v1/analytics/series query string', () => {
  it('defaults to hours over the last day, and to a window fitting the bucket', () => {
    const now = Date.now();
    const byDefault = parse({});
    expect(byDefault.bucket).toBe('hour');
    expect(Math.abs(byDefault.since.getTime() - (now - 86_400_000))).toBeLessThan(5_000);
    expect(Math.abs(parse({ bucket: 'minute' }).since.getTime() - (now - 3_600_000))).toBeLessThan(5_000);
    const since = new Date(now - 10 * 86_400_000).toISOString();
    expect(parse({ bucket: 'day', since })).toEqual({ bucket: 'day', since: new Date(since) });
  });

  it.each([
    ['an unknown bucket', { bucket: 'week' }, 'bucket'],
    ['a since that is not a date-time', { since: 'yesterday' }, 'since'],
    ['a since without an offset', { since: '2026-03-01T12:00:00' }, 'since'],
    ['a window of minutes longer than six hours', { bucket: 'minute', since: new Date(Date.now() - 7 * 3_600_000).toISOString() }, 'since'],
    ['a window of hours longer than fourteen days', { bucket: 'hour', since: new Date(Date.now() - 15 * 86_400_000).toISOString() }, 'since'],
  ])('rejects %s', (_what, query, param) => {
    expect(paramOf(query)).toBe(param);
  });
});
