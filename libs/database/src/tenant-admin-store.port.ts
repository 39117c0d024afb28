import type { AuditEntry } from './admin-audit-store.port';

export interface TenantRecord {
  id: string;
  createdAt: Date;
  disabledAt: Date | null;
  /** Keys not revoked. */
  activeKeys: number;
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string | null;
  /** A short, non-secret label: the key's first characters and its hash's. */
  label: string;
  source: 'config' | 'api';
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey {
  id: string;
  tenantId: string;
  keyHash: string;
  label: string;
  name: string | null;
}

/** What a change did: `changed` false when the record already was as asked (nothing written, nothing audited). */
export interface Changed<T> {
  record: T;
  changed: boolean;
}

/**
 * Tenants and their keys, for the admin API. Every change is written with its audit entry in one transaction
 * (`audit` gets the changed record's id as its target).
 */
export interface TenantAdminStore {
  /** Null if the tenant exists already. */
  createTenant(id: string, audit: AuditEntry): Promise<TenantRecord | null>;
  /** Ordered by id, after `after`. */
  listTenants(limit: number, after?: string): Promise<TenantRecord[]>;
  findTenant(id: string): Promise<TenantRecord | null>;
  /** Null if no such tenant. */
  setDisabled(id: string, disabled: boolean, audit: AuditEntry): Promise<Changed<TenantRecord> | null>;
  /** Null if no such tenant. */
  createKey(key: NewApiKey, audit: AuditEntry): Promise<ApiKeyRecord | null>;
  /** The tenant's keys, newest first. */
  listKeys(tenantId: string, status?: 'active' | 'revoked'): Promise<ApiKeyRecord[]>;
  findKey(id: string): Promise<ApiKeyRecord | null>;
  /** Null if no such key. */
  revokeKey(id: string, audit: AuditEntry): Promise<Changed<ApiKeyRecord> | null>;
}

export const TENANT_ADMIN_STORE = Symbol('TENANT_ADMIN_STORE');
