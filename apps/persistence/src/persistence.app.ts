import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { nestLogLevels } from '@conveyor/config';
import { createTransport, type ServiceRuntime } from '@conveyor/messaging';
import { PersistenceModule } from './persistence.module';

/** Starts the persistence service: job events in, PostgreSQL rows out. */
export async function startPersistence(runtime: ServiceRuntime): Promise<INestMicroservice> {
  const strategy = createTransport(runtime.broker, runtime.config, 'persistence', runtime.config.database.poolSize);
  const app = await NestFactory.createMicroservice(PersistenceModule.forRoot(runtime), { strategy, logger: nestLogLevels(runtime.config.logLevel) });
  app.enableShutdownHooks();
  await app.listen();
  return app;
}
