import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';

export const TRACER_NAME = 'conveyor';

/** Adds `traceparent` / `tracestate` of the active context to a message's headers. */
export function injectTraceHeaders(headers: Record<string, string> = {}, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** The context carried by a message's (or a request's) headers. */
export function extractTraceContext(headers: Record<string, unknown>): Context {
  const carrier: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (typeof v === 'string') carrier[k.toLowerCase()] = v;
    else if (Buffer.isBuffer(v)) carrier[k.toLowerCase()] = v.toString('utf8');
  }
  return propagation.extract(context.active(), carrier);
}

/** The trace id of the active span, or null when there is none. */
export function currentTraceId(): string | null {
  const id = trace.getSpan(context.active())?.spanContext().traceId;
  return id && !/^0+$/.test(id) ? id : null;
}

/**
 * Runs `fn` inside a new span that is a child of `parent`, ending it when `fn` settles.
 * Used for HTTP requests (kind SERVER), publishes (PRODUCER) and message handling (CONSUMER).
 */
export async function withSpan<T>(
  name: string,
  kind: 'server' | 'producer' | 'consumer' | 'internal',
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  const spanKind = { server: SpanKind.SERVER, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER, internal: SpanKind.INTERNAL }[kind];
  const span = trace.getTracer(TRACER_NAME).startSpan(name, { kind: spanKind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
