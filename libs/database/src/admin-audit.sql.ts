import { uuidv7 } from '@conveyor/contracts';
import type { AuditEntry, AuditRecord } from './admin-audit-store.port';
import type { SqlExecutor } from './postgres.client';

export interface AuditRow {
  id: string;
  at: Date;
  admin_id: string;
  action: string;
  target_type: string;
  target_id: string;
  details: Record<string, unknown>;
}

export const toAuditRecord = (row: AuditRow): AuditRecord => ({
  id: row.id,
  at: row.at,
  adminId: row.admin_id,
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  details: row.details,
});

/** Appends an audit entry on `db`: a store's transaction, so the change and its record commit together or not at all. */
export async function insertAudit(db: SqlExecutor, entry: AuditEntry): Promise<AuditRecord> {
  const [row] = await db.rows<AuditRow>(
    `INSERT INTO admin_audit (id, admin_id, action, target_type, target_id, details)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb)
     RETURNING id, at, admin_id, action, target_type, target_id, details`,
    [uuidv7(), entry.adminId, entry.action, entry.targetType, entry.targetId, JSON.stringify(entry.details ?? {})],
  );
  return toAuditRecord(row!);
}
