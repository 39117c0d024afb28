import { Inject, Injectable } from '@nestjs/common';
import { adminIdOf, CONVEYOR_CONFIG, hashApiKey, type ConveyorConfig } from '@conveyor/config';
import { TENANT_KEY_STORE, type KeyOwner, type TenantKeyStore } from '@conveyor/database';
import { KeyUsageRecorder } from './key-usage.recorder';

interface CacheEntry {
  owner: KeyOwner | null;
  expiresAt: number;
}

/**
 * Who a key is: a tenant's key (with its hash, which names the key in per-key limits, its id, and whether its tenant
 * is disabled), an admin key (named by its id), or nobody.
 */
export type KeyIdentity =
  { scope: 'tenant'; tenantId: string; keyHash: string; keyId: string; tenantDisabled: boolean } | { scope: 'admin'; adminId: string } | null;

/**
 * Resolves an API key to its tenant. Keys are hashed (SHA-256) before they are looked up or cached, so the
 * plain key lives only in the request. Lookups are cached for AUTH_CACHE_TTL_MS; a revoked key or a disabled tenant
 * is dropped from the cache at once when its broadcast arrives (`forget`), and within the TTL in any case. A lookup
 * the database cannot answer throws DatabaseUnavailableError, which the exception filter answers with 503.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  /** Counts `forget` calls: a lookup that was under way across one does not cache what it read before the change. */
  private generation = 0;
  private static readonly MAX_CACHE = 10_000;

  private readonly adminKeyHashes: ReadonlySet<string>;
  private readonly usage: KeyUsageRecorder;

  constructor(
    @Inject(TENANT_KEY_STORE) private readonly store: TenantKeyStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {
    this.adminKeyHashes = new Set(config.auth.adminKeyHashes ?? []);
    this.usage = new KeyUsageRecorder(store);
  }

  /** Admin keys live in the configuration only (hashed); tenant keys in the database (hashed). */
  async identify(key: string): Promise<KeyIdentity> {
    const keyHash = hashApiKey(key);
    if (this.adminKeyHashes.has(keyHash)) return { scope: 'admin', adminId: adminIdOf(keyHash) };
    const owner = await this.ownerOf(keyHash);
    if (!owner) return null;
    this.usage.used(owner.keyId);
    return { scope: 'tenant', tenantId: owner.tenantId, keyHash, keyId: owner.keyId, tenantDisabled: owner.tenantDisabled };
  }

  /** The tenant of a key that may be used now: null for an unknown or revoked key, or a disabled tenant's. */
  async tenantFor(key: string): Promise<string | null> {
    const owner = await this.ownerOf(hashApiKey(key));
    return owner && !owner.tenantDisabled ? owner.tenantId : null;
  }

  /** Drops what is cached of a revoked key, or of every key of a disabled tenant. */
  forget(revoked: { keyId?: string; tenantId?: string }): void {
    this.generation += 1;
    for (const [hash, { owner }] of this.cache) {
      if (!owner) continue;
      if ((revoked.keyId && owner.keyId === revoked.keyId) || (revoked.tenantId && !revoked.keyId && owner.tenantId === revoked.tenantId))
        this.cache.delete(hash);
    }
  }

  private async ownerOf(keyHash: string): Promise<KeyOwner | null> {
    const now = Date.now();
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > now) return cached.owner;
    const generation = this.generation;
    const owner = await this.store.ownerOfKeyHash(keyHash);
    if (generation !== this.generation) return owner;
    if (this.cache.size >= ApiKeyAuthenticator.MAX_CACHE) this.cache.clear();
    this.cache.set(keyHash, { owner, expiresAt: now + this.config.auth.cacheTtlMs });
    return owner;
  }
}
