import type { FastifyRequest } from 'fastify';
import { headerPriority } from './openai-request.util';

const withHeader = (value?: string) => ({ headers: value === undefined ? {} : { 'x-priority': value } }) as unknown as FastifyRequest;

describe('headerPriority', () => {
  it('takes the priority from X-Priority, numbers as numbers', () => {
    expect(headerPriority(withHeader('high'))).toBe('high');
    expect(headerPriority(withHeader(' -7 '))).toBe(-7);
  });

  it('is absent without the header, or with an empty one', () => {
    expect(headerPriority(withHeader())).toBeUndefined();
    expect(headerPriority(withHeader('  '))).toBeUndefined();
  });
});
