import type { FastifyInstance } from 'fastify';
import { HTTP_DURATION, HTTP_REQUESTS } from './metric-definitions';
import type { MetricsRegistry } from './metrics.registry';

/** The `route` label of a request no route matched (404s of unknown paths, whatever the path was). */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts every answer of a Fastify instance, and its time, by the matched route's template (`/v1/jobs/:jobId`, never
 * the raw URL) and status: one hook at the end of each request, two label lookups and no allocation of ours. A
 * request no route matched is `unmatched`, an unusual method `OTHER`, so neither paths nor methods a client makes
 * up can grow the series. A stream is counted when it ends, its duration being the stream's.
 */
export function instrumentHttp(fastify: FastifyInstance, metrics: MetricsRegistry): void {
  const requests = metrics.counter(HTTP_REQUESTS);
  const duration = metrics.histogram(HTTP_DURATION);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const method = METHODS.has(request.method) ? request.method : 'OTHER';
    requests.labels(route, method, String(reply.statusCode)).inc();
    duration.labels(route, method).observe(reply.elapsedTime / 1000);
    done();
  });
}
