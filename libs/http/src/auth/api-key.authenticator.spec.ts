import type { ConveyorConfig } from '@conveyor/config';
import { PostgresClient, PostgresTenantKeyStore } from '@conveyor/database';
import type { Pool } from 'pg';
import { mapException } from '../errors/error.mapper';
import { toConveyorException } from '../errors/openai-exception.filter';
import { ApiKeyAuthenticator } from './api-key.authenticator';

/** A pool whose every query fails as a lost database connection would. */
const unreachablePool = { query: () => Promise.reject(new Error('Connection terminated unexpectedly')) } as unknown as Pool;
const config = { auth: { keys: [], cacheTtlMs: 0 } } as unknown as ConveyorConfig;
const quiet = { error: () => undefined };

/** Found by the fault suite (test/chaos, PostgreSQL outage): an uncached key lookup during an outage was a 500. */
describe('API key lookups when the database is down', () => {
  it('answer 503 database_unavailable with Retry-After, not a 500', async () => {
    const authenticator = new ApiKeyAuthenticator(new PostgresTenantKeyStore(new PostgresClient(unreachablePool)), config);
    const err = await authenticator.tenantFor('tok-any').then(
      () => null,
      (e: unknown) => e,
    );
    const mapped = mapException(toConveyorException(err, quiet));
    expect(mapped.status).toBe(503);
    expect(mapped.headers['retry-after']).toBeDefined();
    expect(mapped.body.error.code).toBe('database_unavailable');
  });

  it('a statement the database refuses for its content is not an outage', async () => {
    const refusing = {
      query: () => Promise.reject(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' })),
    } as unknown as Pool;
    const authenticator = new ApiKeyAuthenticator(new PostgresTenantKeyStore(new PostgresClient(refusing)), config);
    const err = await authenticator.tenantFor('tok-any').catch((e: unknown) => e);
    expect(mapException(toConveyorException(err, quiet)).status).toBe(500);
  });
});
