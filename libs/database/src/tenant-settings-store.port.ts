/** A provider key a tenant stored, as shown: which deployment, its last four characters, when. Never the key. */
export interface StoredProviderKey {
  deployment: string;
  last4: string;
  updatedAt: Date;
}

/** A tenant's settings as stored: the band document (validated by the gateway) and its provider keys. */
export interface StoredTenantSettings {
  bands: unknown;
  providerKeys: StoredProviderKey[];
  /** When any of them last changed (its bands or a key); null when the tenant never changed anything. */
  updatedAt: Date | null;
  /** The same instant to the microsecond, 20 digits (compares as a string): what jobs carry as their settings version. */
  version: string | null;
}

/** One change of a `PUT /v1/settings`, applied in one transaction. */
export interface TenantSettingsChange {
  /** Per band, the fields to set; fields not named keep their stored value. */
  bands?: Record<string, Record<string, number>>;
  /** Sets (sealed, with its last four characters) or removes (`sealed: null`) one deployment's key. */
  providerKey?: { deployment: string; sealed: string; last4: string } | { deployment: string; sealed: null };
}

/** Tenants' own settings (`/v1/settings`): read by every gateway replica; the sealed keys by the inference workers. */
export interface TenantSettingsStore {
  find(tenantId: string): Promise<StoredTenantSettings>;
  /** Applies the change and answers the settings as they are afterwards. */
  apply(tenantId: string, change: TenantSettingsChange): Promise<StoredTenantSettings>;
  /** The tenant's sealed provider keys by deployment (the worker opens the one it needs), and when its settings last changed. */
  sealedKeys(tenantId: string): Promise<{ keys: Map<string, string>; version: string | null }>;
}

export const TENANT_SETTINGS_STORE = Symbol('TENANT_SETTINGS_STORE');
