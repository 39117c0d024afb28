/** One change an admin made: which admin key (by its id, never the key), what, to what, with what. */
export interface AuditEntry {
  adminId: string;
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

export interface AuditRecord extends Required<AuditEntry> {
  id: string;
  at: Date;
}

export interface AuditQuery {
  limit: number;
  /** Entries older than this entry id (ids sort by time). */
  before?: string;
  action?: string;
  targetId?: string;
}

/** The admin audit log: written in the same transaction as the change it records (see the admin stores). */
export interface AdminAuditStore {
  record(entry: AuditEntry): Promise<AuditRecord>;
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditRecord[]>;
}

export const ADMIN_AUDIT_STORE = Symbol('ADMIN_AUDIT_STORE');
