import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { nestLogLevels } from '@conveyor/config';
import { createTransport, type ServiceRuntime } from '@conveyor/messaging';
import { InferenceModule } from './inference.module';

/** Starts an inference worker: `WORKER_CONCURRENCY` jobs at a time, taken strictly by priority band. */
export async function startInference(runtime: ServiceRuntime): Promise<INestMicroservice> {
  const strategy = createTransport(runtime.broker, runtime.config, 'inference', runtime.config.worker.concurrency);
  const app = await NestFactory.createMicroservice(InferenceModule.forRoot(runtime), { strategy, logger: nestLogLevels(runtime.config.logLevel) });
  app.enableShutdownHooks();
  await app.listen();
  return app;
}
