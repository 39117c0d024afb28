import type { FastifyRequest } from 'fastify';
import { GatewayException } from '../errors/gateway.exception';
import { responseShapeOf, withHeaderPriority } from './openai-request.util';

const withHeader = (value?: string) => ({ headers: value === undefined ? {} : { 'x-priority': value } }) as unknown as FastifyRequest;

describe('responseShapeOf', () => {
  it('reads stream and stream_options.include_usage', () => {
    expect(responseShapeOf({ stream: true, stream_options: { include_usage: true } })).toEqual({ stream: true, includeUsage: true });
    expect(responseShapeOf({})).toEqual({ stream: false, includeUsage: false });
  });

  it.each([{ n: 2 }, { stream: 'yes' }, { stream_options: { include_usage: 1 } }])('rejects %j with a 400', (body) => {
    expect(() => responseShapeOf(body)).toThrow(GatewayException);
  });

  it('says n > 1 is unsupported', () => {
    expect(() => responseShapeOf({ n: 3 })).toThrow(/not supported/);
  });
});

describe('withHeaderPriority', () => {
  it('takes the priority from X-Priority, numbers as numbers', () => {
    expect(withHeaderPriority(withHeader('high'), { a: 1 })).toEqual({ a: 1, priority: 'high' });
    expect(withHeaderPriority(withHeader('-7'), {})).toEqual({ priority: -7 });
  });

  it('lets the body priority win, and leaves a body without the header alone', () => {
    expect(withHeaderPriority(withHeader('high'), { priority: 'low' })).toEqual({ priority: 'low' });
    expect(withHeaderPriority(withHeader(), { a: 1 })).toEqual({ a: 1 });
  });
});
