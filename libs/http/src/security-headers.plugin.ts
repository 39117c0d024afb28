import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
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
 * The headers every answer carries. An API needs few of helmet's: `nosniff`, no referrer, a same-origin resource
 * policy, a CSP that allows nothing (no answer is a page) and no framing. HSTS only when configured: TLS usually
 * ends at a proxy in front, which owns that header. Helmet sets them on the raw response, so streams carry them too.
 * CORS is off unless CORS_ORIGINS lists origins; then only those get the Access-Control headers (preflights
 * included, answered by @fastify/cors before authentication, as browsers send them without credentials).
 */
export async function registerSecurityHeaders(app: NestFastifyApplication, http: Pick<ConveyorConfig['http'], 'corsOrigins' | 'hstsMaxAgeS'>): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    originAgentCluster: false,
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: http.hstsMaxAgeS > 0 ? { maxAge: http.hstsMaxAgeS, includeSubDomains: true } : false,
    xContentTypeOptions: true,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
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
