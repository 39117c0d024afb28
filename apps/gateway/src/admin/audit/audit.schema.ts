import { z } from 'zod';
import { isUuid } from '@conveyor/contracts';
import type { AuditRecord } from '@conveyor/database';
import { limitParam, listOf } from '../admin-list.schema';

/** `GET /v1/admin/audit`: newest first, `after` the last id of the previous page; filter by action or target id. */
export const AuditListQuerySchema = z.object({
  limit: limitParam(50),
  after: z.string().refine(isUuid, 'must be an audit entry id').optional(),
  action: z.string().max(100).optional(),
  target: z.string().max(200).optional(),
});
export type AuditListQuery = z.infer<typeof AuditListQuerySchema>;

export const AuditEntryViewSchema = z.object({
  object: z.literal('audit_entry'),
  id: z.string(),
  at: z.string(),
  /** The admin key's id (`adm_` and its hash's first 12 hex digits): never the key. */
  admin_id: z.string(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntryView = z.infer<typeof AuditEntryViewSchema>;
export const AuditListViewSchema = listOf(AuditEntryViewSchema);

export function presentAuditEntry(e: AuditRecord): AuditEntryView {
  return {
    object: 'audit_entry',
    id: e.id,
    at: e.at.toISOString(),
    admin_id: e.adminId,
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    details: e.details,
  };
}
