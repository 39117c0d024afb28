import { DatabaseUnavailableError } from '@conveyor/contracts';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from './database-unavailable.util';

/** Runs SQL: on the pool, or on one connection inside a transaction. */
export interface SqlExecutor {
  /** The rows a statement answers (SELECT, or anything with RETURNING). */
  rows<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** How many rows an INSERT, UPDATE or DELETE changed. */
  count(sql: string, params?: readonly unknown[]): Promise<number>;
}

/**
 * The stores' one way to the database: parameterised SQL on the pool that TypeORM opened (TypeORM keeps the
 * connection settings and runs the migrations; the stores write their statements themselves, so each hot
 * statement is exactly the SQL it should be). Every error that means the database could not be reached becomes
 * a DatabaseUnavailableError here, and nowhere else: the HTTP edge answers it with 503, the message pipeline
 * waits it out, and no caller has to classify errors itself.
 */
export class PostgresClient implements SqlExecutor {
  constructor(private readonly pool: Pool) {}

  static of(dataSource: DataSource): PostgresClient {
    const pool = (dataSource.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error('the DataSource is not an initialized PostgreSQL connection');
    return new PostgresClient(pool);
  }

  async rows<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await classified(() => this.pool.query(sql, params as unknown[]))).rows as T[];
  }

  async count(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await classified(() => this.pool.query(sql, params as unknown[]))).rowCount ?? 0;
  }

  /**
   * Runs `work` on one connection between BEGIN and COMMIT; any error rolls back and is passed on. A checked-out
   * connection whose socket breaks emits 'error' (an unheard one would crash the process): it is heard here, the
   * failing statement reports it, and the broken connection is destroyed rather than returned to the pool.
   */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await classified(() => this.pool.connect());
    let broken: Error | undefined;
    const onError = (err: Error) => (broken ??= err);
    client.on('error', onError);
    try {
      await classified(() => client.query('BEGIN'));
      const result = await work(onConnection(client));
      await classified(() => client.query('COMMIT'));
      return result;
    } catch (err) {
      if (err instanceof DatabaseUnavailableError) broken ??= err;
      if (!broken) await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

function onConnection(client: PoolClient): SqlExecutor {
  return {
    rows: async <T>(sql: string, params: readonly unknown[] = []) => (await classified(() => client.query(sql, params as unknown[]))).rows as T[],
    count: async (sql, params = []) => (await classified(() => client.query(sql, params as unknown[]))).rowCount ?? 0,
  };
}

async function classified<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw isDatabaseUnavailable(err) ? new DatabaseUnavailableError(err) : err;
  }
}
