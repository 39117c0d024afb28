/** A tenant's overrides of the configured limits, as the admin API stored them (validated by the gateway). */
export interface StoredTenantLimits {
  tenantId: string;
  limits: unknown;
  updatedAt: Date;
}

/** The admin API's per-tenant limits (docs/admission.md); every gateway replica reloads what changed. */
export interface TenantLimitsStore {
  find(tenantId: string): Promise<StoredTenantLimits | null>;
  /** Replaces the tenant's overrides; null if no such tenant exists. */
  put(tenantId: string, limits: object): Promise<StoredTenantLimits | null>;
  /** Overrides changed after `since` (all of them without it), oldest change first. */
  changedSince(since: Date | null): Promise<StoredTenantLimits[]>;
  tenantExists(tenantId: string): Promise<boolean>;
}

export const TENANT_LIMITS_STORE = Symbol('TENANT_LIMITS_STORE');
