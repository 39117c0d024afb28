import { prepareTestDatabase, databaseUrl as serverDatabaseUrl } from './support/database.util';
import { unreachableServers } from './support/preflight.util';
import { brokerServerUrl, recreateVhost, TEST_VHOST_NAME } from './support/vhost.util';

/**
 * Runs once before the integration, e2e and chaos tests: first a check that RabbitMQ and PostgreSQL answer (if
 * not, the run stops here with one line per missing server instead of every test failing on its own), then a
 * fresh, migrated database and a RabbitMQ vhost of their own.
 */
export default async function globalSetup(): Promise<void> {
  // The first address, when BROKER_URL lists a cluster's nodes.
  const problems = await unreachableServers(brokerServerUrl().split(',')[0]!.trim(), serverDatabaseUrl('postgres'));
  if (problems.length > 0) {
    for (const line of problems) process.stderr.write(`\n${line}\n`);
    process.stderr.write('\nThe integration, e2e and chaos tests need both; nothing was run.\n');
    process.exit(1);
  }
  const [databaseUrl, brokerUrl] = await Promise.all([prepareTestDatabase(), recreateVhost(TEST_VHOST_NAME)]);
  process.env.TEST_DATABASE_URL = databaseUrl;
  process.env.TEST_BROKER_URL = brokerUrl;
}
