import type { ApiKeyGrant } from '@conveyor/config';

/** Who a tenant key is: its row's id, its tenant, and whether an admin disabled that tenant. */
export interface KeyOwner {
  keyId: string;
  tenantId: string;
  tenantDisabled: boolean;
}

/** API keys, stored as SHA-256 hashes only, each belonging to one tenant. */
export interface TenantKeyStore {
  /** Upserts tenants and key hashes from configuration. Idempotent; safe to run from several replicas at once. */
  bootstrap(grants: ApiKeyGrant[]): Promise<void>;
  /** The tenant owning this key hash, or null if unknown or revoked. */
  tenantForKeyHash(keyHash: string): Promise<string | null>;
  /** The key and tenant of this key hash, or null if unknown or revoked. */
  ownerOfKeyHash(keyHash: string): Promise<KeyOwner | null>;
  /** Records that these keys were used now (the authenticator calls it at most once a minute per key). */
  markUsed(keyIds: readonly string[]): Promise<void>;
}

export const TENANT_KEY_STORE = Symbol('TENANT_KEY_STORE');
