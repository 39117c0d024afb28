import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { hashApiKey } from '@conveyor/config';
import { TENANT_KEY_STORE, type TenantKeyStore } from '@conveyor/database';
import { apiKeyOf } from '../../gateway/src/auth/api-key.guard';
import { storeCall } from '../../gateway/src/errors/store-call.util';

/**
 * Authenticates a stream request. Besides the gateway's headers, `?api_key=` is accepted on this route alone,
 * because a browser EventSource cannot set headers; the key is hashed before lookup and never logged (Fastify's
 * request logging is off in this app). A lookup the database cannot answer is a 503 with Retry-After, not a 500.
 */
@Injectable()
export class StreamKeyResolver {
  private readonly logger = new Logger(StreamKeyResolver.name);

  constructor(@Inject(TENANT_KEY_STORE) private readonly keys: TenantKeyStore) {}

  keyOf(request: FastifyRequest): string | null {
    const fromHeaders = apiKeyOf(request);
    if (fromHeaders) return fromHeaders;
    const query = request.query as Record<string, unknown> | undefined;
    const fromQuery = query?.api_key;
    return typeof fromQuery === 'string' && fromQuery.trim() !== '' ? fromQuery.trim() : null;
  }

  tenantFor(key: string): Promise<string | null> {
    return storeCall(this.logger, 'key store', () => this.keys.tenantForKeyHash(hashApiKey(key)));
  }
}
