import { startTelemetry, stopTelemetry } from './telemetry.sdk';
import { currentTraceId, extractTraceContext, injectTraceHeaders, withSpan } from './trace-context.util';

describe('trace context propagation', () => {
  beforeAll(() => startTelemetry('spec', { OTEL_TRACES_EXPORTER: 'none' }));
  afterAll(() => stopTelemetry());

  it('carries one trace id from a publisher span through headers into a consumer span', async () => {
    const { headers, producerTrace } = await withSpan('publish', 'producer', {}, async () => ({
      headers: injectTraceHeaders({}),
      producerTrace: currentTraceId(),
    }));
    expect(producerTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(headers.traceparent).toContain(producerTrace);

    const consumerTrace = await withSpan('consume', 'consumer', {}, async () => currentTraceId(), extractTraceContext(headers));
    expect(consumerTrace).toBe(producerTrace);
  });

  it('reads headers whatever their case or encoding (AMQP gives Buffers)', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const ctx = extractTraceContext({ TraceParent: Buffer.from(traceparent) });
    const inner = await withSpan('consume', 'consumer', {}, async () => currentTraceId(), ctx);
    expect(inner).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('starts a fresh trace when the headers carry none', async () => {
    const a = await withSpan('a', 'consumer', {}, async () => currentTraceId(), extractTraceContext({}));
    const b = await withSpan('b', 'consumer', {}, async () => currentTraceId(), extractTraceContext({}));
    expect(a).not.toBeNull();
    expect(a).not.toBe(b);
  });

  it("records no span when nothing exports them, yet gives each its ids; a caller's sampled flag passes through", async () => {
    const own = await withSpan('a', 'server', {}, async (span) => ({ recording: span.isRecording(), traceparent: injectTraceHeaders({}).traceparent }));
    expect(own.recording).toBe(false);
    expect(own.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const sampledByCaller = extractTraceContext({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const child = await withSpan(
      'b',
      'server',
      {},
      async (span) => ({ recording: span.isRecording(), traceparent: injectTraceHeaders({}).traceparent }),
      sampledByCaller,
    );
    expect(child.recording).toBe(true);
    expect(child.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  });
});
