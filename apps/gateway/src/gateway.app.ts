import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { nestLogLevels } from '@conveyor/config';
import type { ServiceRuntime } from '@conveyor/messaging';
import { GatewayModule } from './gateway.module';

/** Builds and starts the gateway's HTTP server. Used by the gateway's own main.ts and by the embedded mode. */
export async function startGateway(runtime: ServiceRuntime): Promise<NestFastifyApplication> {
  const { http } = runtime.config;
  const adapter = new FastifyAdapter({
    bodyLimit: http.bodyLimitBytes,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // The tenant's key travels in headers; keep Fastify's request logging off so it never lands in a log.
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(runtime), adapter, {
    logger: nestLogLevels(runtime.config.logLevel),
    bufferLogs: false,
    // Body parsing is configured below, on Fastify itself.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Only JSON bodies are accepted: anything else is a 415, not a string the validator has to reject.
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  // An empty body with a JSON content type (a bodiless POST such as cancel) is no body, not malformed JSON.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });
  app.enableShutdownHooks();
  await app.listen(http.port, http.host);
  return app;
}
