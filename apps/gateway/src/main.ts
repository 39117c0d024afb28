import './instrumentation';
import { loadConfig } from '@conveyor/config';
import { createBrokerClient } from '@conveyor/messaging';
import { startGateway } from './gateway.app';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { require: ['broker', 'database'] });
  const broker = createBrokerClient(config, 'gateway');
  await broker.connect();
  const app = await startGateway({ config, broker, databaseUrl: config.database.url!, ownsBroker: true });
  console.log(`conveyor gateway listening on ${await app.getUrl()}`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
