import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { nestLogLevels } from '@conveyor/config';
import { createTransport, type ServiceRuntime } from '@conveyor/messaging';
import { NotificationModule } from './notification.module';

/** Starts the notification service on the terminal job events. */
export async function startNotification(runtime: ServiceRuntime): Promise<INestMicroservice> {
  const strategy = createTransport(runtime.broker, runtime.config, 'notification', 8);
  const app = await NestFactory.createMicroservice(NotificationModule.forRoot(runtime), { strategy, logger: nestLogLevels(runtime.config.logLevel) });
  app.enableShutdownHooks();
  await app.listen();
  return app;
}
