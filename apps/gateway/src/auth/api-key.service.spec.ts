import type { ConveyorConfig } from '@conveyor/config';
import type { TenantKeyStore } from '@conveyor/database';
import { StreamKeyResolver } from '../../../streaming/src/stream-key.resolver';
import { mapGatewayException } from '../errors/gateway-error.mapper';
import { GatewayException } from '../errors/gateway.exception';
import { ApiKeyService } from './api-key.service';

/** A key store whose lookups fail as a lost database connection would. */
const unreachable: TenantKeyStore = {
  bootstrap: () => Promise.resolve(),
  tenantForKeyHash: () => Promise.reject(new Error('Connection terminated unexpectedly')),
} as unknown as TenantKeyStore;

const config = { auth: { keys: [], cacheTtlMs: 0 } } as unknown as ConveyorConfig;

/** Found by the fault suite (test/chaos, PostgreSQL outage): an uncached key lookup during an outage was a 500. */
describe('API key lookups when the database is down', () => {
  const quiet = <T extends object>(target: T): T => {
    jest.spyOn((target as unknown as { logger: { error: () => void } }).logger, 'error').mockImplementation(() => undefined);
    return target;
  };

  it.each([
    ['gateway (ApiKeyService)', () => quiet(new ApiKeyService(unreachable, config)).tenantFor('tok-any')],
    ['streaming (StreamKeyResolver)', () => quiet(new StreamKeyResolver(unreachable)).tenantFor('tok-any')],
  ])('%s answers 503 database_unavailable with Retry-After, not a 500', async (_name, lookup) => {
    const err = await lookup().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GatewayException);
    const mapped = mapGatewayException(err as GatewayException);
    expect(mapped.status).toBe(503);
    expect(mapped.headers['retry-after']).toBeDefined();
    expect(mapped.body.error.code).toBe('database_unavailable');
  });
});
