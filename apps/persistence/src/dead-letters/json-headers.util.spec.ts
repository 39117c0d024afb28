import { jsonHeaders } from './json-headers.util';

describe('jsonHeaders', () => {
  it('turns the broker’s x-death table and our byte-string headers into JSON, keeping plain values', () => {
    const time = new Date('2026-01-02T03:04:05.000Z');
    const headers = {
      'x-conveyor-dead-reason': Buffer.from('crash loop'),
      'x-delivery-count': 3,
      'x-death': [{ count: BigInt(2), reason: 'delivery_limit', queue: 'conveyor.jobs.normal.0', time, 'routing-keys': ['job.requested.normal.0'] }],
      traceparent: '00-abc-def-01',
      skipped: () => undefined,
      infinite: Number.POSITIVE_INFINITY,
    };
    expect(jsonHeaders(headers)).toEqual({
      'x-conveyor-dead-reason': 'crash loop',
      'x-delivery-count': 3,
      'x-death': [
        { count: 2, reason: 'delivery_limit', queue: 'conveyor.jobs.normal.0', time: '2026-01-02T03:04:05.000Z', 'routing-keys': ['job.requested.normal.0'] },
      ],
      traceparent: '00-abc-def-01',
      infinite: 'Infinity',
    });
    expect(JSON.parse(JSON.stringify(jsonHeaders(headers)))).toEqual(jsonHeaders(headers));
  });
});
