import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { nestLogLevels, type ConveyorConfig } from '@conveyor/config';
import { createTransport, type ServiceRuntime } from '@conveyor/messaging';
import { NotificationModule } from './notification.module';

/**
 * Broker retries the notification service may spend on one message beyond its retry schedule: waits for a
 * lease left by a killed consumer, or a message that arrived before its delivery was due.
 */
const RETRY_SLACK = 10;

/**
 * The webhook sender decides when a delivery is exhausted (from the database, per the retry schedule); the
 * transport's own retry budget only needs to stay out of its way.
 */
function withWebhookRetryBudget(config: ConveyorConfig): ConveyorConfig {
  const retryMaxAttempts = Math.max(config.broker.retryMaxAttempts, config.webhooks.retryScheduleMs.length + RETRY_SLACK);
  return { ...config, broker: { ...config.broker, retryMaxAttempts } };
}

/** Starts the notification service: terminal job events in, signed webhooks out. */
export async function startNotification(runtime: ServiceRuntime): Promise<INestMicroservice> {
  const strategy = createTransport(runtime.broker, withWebhookRetryBudget(runtime.config), 'notification', 8);
  const app = await NestFactory.createMicroservice(NotificationModule.forRoot(runtime), { strategy, logger: nestLogLevels(runtime.config.logLevel) });
  app.enableShutdownHooks();
  await app.listen();
  return app;
}
