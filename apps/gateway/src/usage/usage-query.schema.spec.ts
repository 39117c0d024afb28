import { ConveyorException, parseOrThrow } from '@conveyor/http';
import { UsageQuerySchema } from './usage-query.schema';

const parse = (query: Record<string, unknown>) => parseOrThrow(UsageQuerySchema, query, 'query string');

/** The `param` of the 400 this query string gets; fails the test if it parses. */
function paramOf(query: Record<string, unknown>): string | null {
  try {
    parse(query);
  } catch (err) {
    expect(err).toBeInstanceOf(ConveyorException);
    return (err as ConveyorException).param;
  }
  throw new Error('expected the query string to be rejected');
}

describe('GET /v1/usage query string', () => {
  it('accepts no bounds, a date-time with an offset, and a bare date as midnight UTC', () => {
    expect(parse({})).toEqual({});
    expect(parse({ since: '2026-03-01T12:00:00+02:00', until: '2026-03-02' })).toEqual({
      since: new Date('2026-03-01T10:00:00Z'),
      until: new Date('2026-03-02T00:00:00Z'),
    });
  });

  it.each([
    ['a bound that is not a date', { since: 'yesterday' }, 'since'],
    ['a date-time without an offset', { until: '2026-03-01T12:00:00' }, 'until'],
    ['a window ending before it starts', { since: '2026-03-02', until: '2026-03-01' }, 'until'],
    ['an empty window', { since: '2026-03-01', until: '2026-03-01' }, 'until'],
  ])('rejects %s with a 400 naming %s', (_label, query, param) => {
    expect(paramOf(query)).toBe(param);
  });
});
