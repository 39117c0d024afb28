import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { extractTraceContext, withJobId, withSpan } from '@conveyor/telemetry';

/**
 * One SERVER span per request, continuing the caller's `traceparent` if it sent one, so the job's publish and
 * everything downstream (worker, persistence) land in the caller's trace. On routes about one job (`:jobId`), the
 * handler runs with that job's id in the log context, as message handlers do.
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = request.routeOptions?.url ?? request.url;
    const jobId = (request.params as { jobId?: unknown } | undefined)?.jobId;
    const handle = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    return from(
      withSpan(
        `${request.method} ${route}`,
        'server',
        { 'http.request.method': request.method, 'http.route': route },
        typeof jobId === 'string' ? () => withJobId(jobId, handle) : handle,
        extractTraceContext(request.headers),
      ),
    );
  }
}
