import { TEST_DATABASE_NAME, dropDatabase } from './support/database.util';

/** Drops this run's database once every test has finished. */
export default async function globalTeardown(): Promise<void> {
  await dropDatabase(TEST_DATABASE_NAME);
}
