import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CONVEYOR_CONFIG, hashApiKey, type ConveyorConfig } from '@conveyor/config';
import { TENANT_KEY_STORE, type TenantKeyStore } from '@conveyor/database';
import { storeCall } from '../errors/store-call.util';

interface CacheEntry {
  tenantId: string | null;
  expiresAt: number;
}

/**
 * Resolves an API key to its tenant. Keys are hashed (SHA-256) before they are looked up or cached, so the
 * plain key lives only in the request. Lookups are cached for AUTH_CACHE_TTL_MS. A lookup the database cannot
 * answer is a 503 `database_unavailable` (with Retry-After), like every other store call of a request, not a 500.
 */
@Injectable()
export class ApiKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeyService.name);
  private readonly cache = new Map<string, CacheEntry>();
  private static readonly MAX_CACHE = 10_000;

  constructor(
    @Inject(TENANT_KEY_STORE) private readonly store: TenantKeyStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { keys } = this.config.auth;
    await this.store.bootstrap(keys);
    this.logger.log(`bootstrapped ${keys.length} API key(s): ${keys.map((k) => `${k.label} → ${k.tenantId}`).join(', ') || 'none'}`);
  }

  async tenantFor(key: string): Promise<string | null> {
    const keyHash = hashApiKey(key);
    const now = Date.now();
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > now) return cached.tenantId;
    const tenantId = await storeCall(this.logger, 'key store', () => this.store.tenantForKeyHash(keyHash));
    if (this.cache.size >= ApiKeyService.MAX_CACHE) this.cache.clear();
    this.cache.set(keyHash, { tenantId, expiresAt: now + this.config.auth.cacheTtlMs });
    return tenantId;
  }
}
