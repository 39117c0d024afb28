import fastifyCors from '@fastify/cors';
import type { FastifyReply } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ConveyorConfig } from '@conveyor/config';

/** Routes whose answers carry prompts, results, usage or secrets: never stored by a cache or a browser. */
const PRIVATE_ROUTES = /^\/(v1|openai)\//;
/** What admission adds to a submit's answer (docs/admission.md), readable by a browser client too. */
const ADMISSION_HEADERS = [
  'retry-after-ms',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-tokens',
  'idempotent-replayed',
  'x-conveyor-priority-lowered-from',
];

/**
 * The headers every answer carries: what helmet would set for an API, written once here rather than rebuilt per
 * request (as @fastify/helmet does). `nosniff`, no referrer, a same-origin resource policy, a CSP that allows
 * nothing (no answer is a page; the console and the API docs set their own) and no framing. HSTS only when
 * configured: TLS usually ends at a proxy in front, which owns that header.
 */
export function securityHeadersOf(http: Pick<ConveyorConfig['http'], 'hstsMaxAgeS'>): ReadonlyArray<readonly [string, string]> {
  return [
    ['content-security-policy', "default-src 'none';frame-ancestors 'none'"],
    ['cross-origin-resource-policy', 'same-origin'],
    ['referrer-policy', 'no-referrer'],
    ...(http.hstsMaxAgeS > 0 ? [['strict-transport-security', `max-age=${http.hstsMaxAgeS}; includeSubDomains`] as const] : []),
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
  ];
}

/**
 * Sets the security headers on the raw response, so streams carry them too, and `no-store` on private routes.
 * CORS is off unless CORS_ORIGINS lists origins; then only those get the Access-Control headers (preflights
 * included, answered by @fastify/cors before authentication, as browsers send them without credentials).
 */
export async function registerSecurityHeaders(app: NestFastifyApplication, http: Pick<ConveyorConfig['http'], 'corsOrigins' | 'hstsMaxAgeS'>): Promise<void> {
  const headers = securityHeadersOf(http);
  if (http.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: http.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      exposedHeaders: ['location', 'retry-after', 'x-conveyor-job-id', ...ADMISSION_HEADERS],
      maxAge: 600,
    });
  }
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      for (const [name, value] of headers) reply.raw.setHeader(name, value);
      if (PRIVATE_ROUTES.test(request.url)) reply.raw.setHeader('cache-control', 'no-store');
      done();
    });
}

/**
 * Takes a reply over for a stream. Headers Fastify holds on the reply (CORS) are copied to the raw response first:
 * a hijacked reply never writes them itself.
 */
export function hijackForStream(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
  reply.hijack();
}
