import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { extractTraceContext, withSpan } from '@conveyor/telemetry';

/**
 * One SERVER span per request, continuing the caller's `traceparent` if it sent one, so the job's publish and
 * everything downstream (worker, persistence) land in the caller's trace.
 */
@Injectable()
export class TracingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = request.routeOptions?.url ?? request.url;
    return from(
      withSpan(`${request.method} ${route}`, 'server', { 'http.request.method': request.method, 'http.route': route }, () => lastValueFrom(next.handle(), { defaultValue: undefined }), extractTraceContext(request.headers)),
    );
  }
}
