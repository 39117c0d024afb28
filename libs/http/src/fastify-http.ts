import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FastifyError, FastifyReply } from 'fastify';
import type { ConveyorConfig } from '@conveyor/config';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { answerClientError } from './errors/client-error.handler';
import { fromFrameworkError, MAX_PARAM_LENGTH } from './errors/error.mapper';
import { sendError } from './errors/openai-exception.filter';
import { enforceRequestDeadline } from './request-deadline.hook';
import { registerSecurityHeaders } from './security-headers.plugin';

type HttpSettings = ConveyorConfig['http'];

/** How often Node checks its connections against the header and body limits: the limits' granularity. */
const MAX_CHECK_INTERVAL_MS = 1_000;

/**
 * The Fastify adapter of every HTTP service. Request logging stays off: the tenant's key travels in headers (and
 * as `?api_key=` on stream routes), and must never land in a log.
 *
 * Node's server enforces the time limits of a request's arrival: the head within `headersTimeoutMs`, the whole
 * request (a body sent a byte at a time included) within `bodyTimeoutMs`, and an idle kept-alive connection is
 * closed after `keepAliveTimeoutMs`. Fastify's defaults disable the first two, so the server is made here. Errors
 * Fastify would answer in its own shape, quoting the input (a bad URL, an over-long parameter, a socket-level
 * parse error, 408, 431), are answered in OpenAI's shape instead.
 */
export function createFastifyAdapter(http: Pick<HttpSettings, 'bodyLimitBytes' | 'headersTimeoutMs' | 'bodyTimeoutMs' | 'keepAliveTimeoutMs'>): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: http.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    logger: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
      const server = createServer(
        {
          headersTimeout: http.headersTimeoutMs,
          requestTimeout: http.bodyTimeoutMs,
          keepAliveTimeout: http.keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.min(MAX_CHECK_INTERVAL_MS, Math.ceil(http.headersTimeoutMs / 4)),
        },
        handler,
      );
      server.keepAliveTimeout = http.keepAliveTimeoutMs;
      return server;
    },
    // Raised before any hook runs: the headers the hooks would have set are set here.
    frameworkErrors: (err: FastifyError, _request: unknown, reply: FastifyReply) =>
      sendError(reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store'), fromFrameworkError(err)),
    clientErrorHandler: answerClientError,
  });
}

/**
 * Only JSON bodies are accepted: anything else is a 415, not a string a validator has to reject. An empty body
 * with a JSON content type (a bodiless POST such as cancel) is no body, not malformed JSON.
 */
export function acceptJsonBodiesOnly(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else void parseJson(request, body as string, done);
  });
}

/**
 * What every HTTP service adds to its Fastify instance before it listens: the security headers and CORS policy,
 * and the whole-request time limit of non-streaming routes.
 */
export async function hardenHttp(app: NestFastifyApplication, http: HttpSettings): Promise<void> {
  await registerSecurityHeaders(app, http);
  enforceRequestDeadline(app.getHttpAdapter().getInstance(), http.requestTimeoutMs);
}
