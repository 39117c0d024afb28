import { prepareTestDatabase } from './support/database.util';

/** Runs once before the integration and e2e tests: a fresh, migrated database of its own. */
export default async function globalSetup(): Promise<void> {
  process.env.TEST_DATABASE_URL = await prepareTestDatabase();
}
