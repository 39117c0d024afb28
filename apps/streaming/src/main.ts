import './instrumentation';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, nestLogLevels } from '@conveyor/config';
import { StreamingModule } from './streaming.module';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(StreamingModule, new FastifyAdapter(), { logger: nestLogLevels(config.logLevel) });
  app.enableShutdownHooks();
  await app.listen(config.streaming.port, config.http.host);
  console.log(`conveyor streaming listening on ${await app.getUrl()}`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
