import './instrumentation';
import { loadConfig } from '@conveyor/config';
import { createBrokerClient } from '@conveyor/messaging';
import { startNotification } from './notification.app';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { require: ['broker', 'database'] });
  const broker = createBrokerClient(config, 'notification');
  await startNotification({ config, broker, databaseUrl: config.database.url!, ownsBroker: true });
  console.log('conveyor notification consuming terminal job events and delivering webhooks');
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
