import './instrumentation';
import { loadConfig } from '@conveyor/config';
import { createBrokerClient } from '@conveyor/messaging';
import { startStreaming } from './streaming.app';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { require: ['broker', 'database'] });
  const broker = createBrokerClient(config, 'streaming');
  await broker.connect();
  const app = await startStreaming({ config, broker, databaseUrl: config.database.url!, ownsBroker: true });
  console.log(`conveyor streaming listening on ${await app.getUrl()}`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
