import { TEST_DATABASE_NAME, dropDatabase } from './support/database.util';
import { deleteVhost, TEST_VHOST_NAME } from './support/vhost.util';

/** Drops this run's database and vhost once every test has finished. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all([dropDatabase(TEST_DATABASE_NAME), deleteVhost(TEST_VHOST_NAME)]);
}
