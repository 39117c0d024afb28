import type { AdminAuditStore, AuditEntry, AuditQuery, AuditRecord } from './admin-audit-store.port';
import { insertAudit, toAuditRecord, type AuditRow } from './admin-audit.sql';
import type { PostgresClient } from './postgres.client';

/** AdminAuditStore on PostgreSQL (`admin_audit`, ids UUIDv7 so newest first is the primary key's order). */
export class PostgresAdminAuditStore implements AdminAuditStore {
  constructor(private readonly db: PostgresClient) {}

  record(entry: AuditEntry): Promise<AuditRecord> {
    return insertAudit(this.db, entry);
  }

  async list(query: AuditQuery): Promise<AuditRecord[]> {
    const rows = await this.db.rows<AuditRow>(
      `SELECT id, at, admin_id, action, target_type, target_id, details FROM admin_audit
       WHERE ($1::uuid IS NULL OR id < $1::uuid) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR target_id = $3)
       ORDER BY id DESC LIMIT $4`,
      [query.before ?? null, query.action ?? null, query.targetId ?? null, query.limit],
    );
    return rows.map(toAuditRecord);
  }
}
