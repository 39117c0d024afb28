import type { FastifyRequest } from 'fastify';

/**
 * The priority `X-Priority` asks for, applied when the body names none (the body wins, as the more specific).
 * A numeric header is a number, so `X-Priority: 7` means the same as `"priority": 7`.
 */
export function headerPriority(request: FastifyRequest): string | number | undefined {
  const header = request.headers['x-priority'];
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const value = header.trim();
  return /^-?\d+$/.test(value) ? Number(value) : value;
}
