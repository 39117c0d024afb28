import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { nestLogLevels } from '@conveyor/config';
import type { ServiceRuntime } from '@conveyor/messaging';
import { StreamingModule } from './streaming.module';

/** Builds and starts the streaming service's HTTP server. Used by its own main.ts and by the embedded mode. */
export async function startStreaming(runtime: ServiceRuntime): Promise<NestFastifyApplication> {
  // Request logging stays off: `?api_key=` is part of the URL and must never reach a log.
  const adapter = new FastifyAdapter({ logger: false });
  const app = await NestFactory.create<NestFastifyApplication>(StreamingModule.forRoot(runtime), adapter, {
    logger: nestLogLevels(runtime.config.logLevel),
  });
  app.enableShutdownHooks();
  await app.listen(runtime.config.streaming.port, runtime.config.http.host);
  return app;
}
