import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  NoopSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;

/** Which exporter `OTEL_TRACES_EXPORTER` asks for: `none` (default), `console` or `otlp` (OTLP over HTTP). */
function spanProcessorsFor(exporter: string): SpanProcessor[] {
  switch (exporter) {
    case 'otlp':
      // The endpoint comes from OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.
      return [new BatchSpanProcessor(new OTLPTraceExporter())];
    case 'console':
      return [new SimpleSpanProcessor(new ConsoleSpanExporter())];
    case 'none':
    case '':
      // Spans are still created, so trace ids exist and travel in message headers; nothing is exported.
      return [new NoopSpanProcessor()];
    default:
      throw new Error(`OTEL_TRACES_EXPORTER: must be none, console or otlp (got "${exporter}")`);
  }
}

/**
 * With no exporter, spans are not recorded: the SDK still gives each a trace and span id, which travel in message
 * headers and land in job rows and logs, but builds no span object to throw away (a few % of each service's CPU).
 * A caller's own sampled flag still passes through.
 */
const NOT_RECORDED: Sampler = new ParentBasedSampler({ root: new AlwaysOffSampler() });
const unexported = (exporter: string) => exporter === 'none' || exporter === '';

/**
 * Starts OpenTelemetry for one service. Each app's `main.ts` imports its `instrumentation.ts` first, which
 * calls this before Nest or any client library is loaded. W3C trace context is always propagated.
 */
export function startTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): void {
  if (sdk) return;
  const exporter = (env.OTEL_TRACES_EXPORTER ?? 'none').trim().toLowerCase();
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? `conveyor-${serviceName}`,
    spanProcessors: spanProcessorsFor(exporter),
    ...(unexported(exporter) && { sampler: NOT_RECORDED }),
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [],
    autoDetectResources: false,
  });
  sdk.start();
}

/** Flushes and stops the SDK (on shutdown). */
export async function stopTelemetry(): Promise<void> {
  const current = sdk;
  sdk = undefined;
  await current?.shutdown();
}
