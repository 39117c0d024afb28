import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { defer, lastValueFrom } from 'rxjs';
import { currentJobId, currentTraceId, startTelemetry, stopTelemetry } from '@conveyor/telemetry';
import { TracingInterceptor } from './tracing.interceptor';

/** An HTTP request to `url` with route params `params`, as Nest hands it to an interceptor. */
const http = (url: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
  ({
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ method: 'GET', url, routeOptions: { url }, params, headers }) }),
  }) as unknown as ExecutionContext;

/** A route handler that answers what the log context holds while it runs, after an await. */
const handler: CallHandler = {
  handle: () =>
    defer(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return { jobId: currentJobId(), traceId: currentTraceId() };
    }),
};

describe('TracingInterceptor', () => {
  beforeAll(() => startTelemetry('spec', { OTEL_TRACES_EXPORTER: 'none' }));
  afterAll(() => stopTelemetry());
  const interceptor = new TracingInterceptor();

  it('runs a :jobId route with that job in the log context, inside the request span', async () => {
    const seen = await lastValueFrom(interceptor.intercept(http('/v1/jobs/:jobId', { jobId: '0190a0b1-0000-7000-8000-00000000000a' }), handler));
    expect(seen).toEqual({ jobId: '0190a0b1-0000-7000-8000-00000000000a', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('sets no job on routes without one', async () => {
    const seen = await lastValueFrom(interceptor.intercept(http('/v1/jobs', {}), handler));
    expect(seen).toEqual({ jobId: undefined, traceId: expect.any(String) });
  });

  it("continues the caller's trace", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const seen = await lastValueFrom(interceptor.intercept(http('/v1/jobs/:jobId', { jobId: 'j' }, { traceparent }), handler));
    expect(seen).toEqual({ jobId: 'j', traceId: '0af7651916cd43dd8448eb211c80319c' });
  });
});
