import './instrumentation';
import { loadConfig } from '@conveyor/config';
import { createBrokerClient } from '@conveyor/messaging';
import { startInference } from './inference.app';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { require: ['broker', 'database'] });
  const broker = createBrokerClient(config, 'inference');
  await startInference({ config, broker, databaseUrl: config.database.url!, ownsBroker: true });
  console.log(`conveyor inference worker ${config.worker.id} running ${config.worker.concurrency} job(s) at a time`);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
