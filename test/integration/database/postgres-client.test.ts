import { DatabaseUnavailableError } from '@conveyor/contracts';
import { PostgresClient } from '@conveyor/database';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../../support/database.util';
import { TcpProxy } from '../../support/tcp-proxy.util';

/**
 * The stores' one way to PostgreSQL, against the real server behind a TCP proxy that the test cuts: what a
 * database outage looks like to the services. Found by the fault suite: a connection checked out for a
 * transaction whose socket broke emitted an 'error' nobody heard, and the persistence process crashed.
 */
describe('PostgresClient during a database outage (real PostgreSQL behind a TCP proxy)', () => {
  let proxy: TcpProxy;
  let dataSource: DataSource;
  let db: PostgresClient;

  beforeAll(async () => {
    const server = new URL(process.env.TEST_DATABASE_URL!);
    proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    server.host = `127.0.0.1:${proxy.port}`;
    dataSource = await openDataSource(server.toString(), 2);
    db = PostgresClient.of(dataSource);
  });

  afterAll(async () => {
    await proxy.cut();
    await dataSource.destroy().catch(() => undefined);
  });

  it('reports a cut mid-transaction as DatabaseUnavailableError, survives it, and works again once the server is back', async () => {
    const inside = db.transaction(async (tx) => {
      await tx.rows('SELECT 1');
      await proxy.cut();
      return tx.rows('SELECT 2');
    });
    await expect(inside).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(db.rows('SELECT 1')).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await proxy.open();
    // The broken connections were destroyed, not handed out again.
    await expect(db.transaction((tx) => tx.rows<{ n: number }>('SELECT 3 AS n'))).resolves.toEqual([{ n: 3 }]);
    await expect(db.rows<{ n: number }>('SELECT 4 AS n')).resolves.toEqual([{ n: 4 }]);
  });

  it('passes a statement the server refuses for its content on as it is, not as an outage', async () => {
    const refused = db.rows('SELECT $1::int', ['not a number']);
    await expect(refused).rejects.toThrow(/invalid input syntax/);
    await expect(refused).rejects.not.toBeInstanceOf(DatabaseUnavailableError);
  });
});
