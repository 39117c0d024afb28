import './instrumentation';
import { loadConfig } from '@conveyor/config';
import { createBrokerClient } from '@conveyor/messaging';
import { startPersistence } from './persistence.app';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { require: ['broker', 'database'] });
  const broker = createBrokerClient(config, 'persistence');
  await startPersistence({ config, broker, databaseUrl: config.database.url!, ownsBroker: true });
  console.log('conveyor persistence consuming job events');
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
