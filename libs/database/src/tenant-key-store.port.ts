import type { ApiKeyGrant } from '@conveyor/config';

/** API keys, stored as SHA-256 hashes only, each belonging to one tenant. */
export interface TenantKeyStore {
  /** Upserts tenants and key hashes from configuration. Idempotent; safe to run from several replicas at once. */
  bootstrap(grants: ApiKeyGrant[]): Promise<void>;
  /** The tenant owning this key hash, or null if unknown or revoked. */
  tenantForKeyHash(keyHash: string): Promise<string | null>;
}

export const TENANT_KEY_STORE = Symbol('TENANT_KEY_STORE');
