import { Controller, Get, Inject } from '@nestjs/common';
import { ADMIN_AUDIT_STORE, type AdminAuditStore } from '@conveyor/database';
import { AdminRoute, ApiResponse, ApiSummary, ApiTag, ValidQuery } from '@conveyor/http';
import { pageOf, type ListPage } from '../admin-list.schema';
import { AuditListQuerySchema, AuditListViewSchema, presentAuditEntry, type AuditEntryView, type AuditListQuery } from './audit.schema';
/** `GET /v1/admin/audit`: every change an admin key made (who, what, when, to what). */
@Controller('v1/admin/audit')
@AdminRoute()
@ApiTag('Admin')
export class AuditController {
  constructor(@Inject(ADMIN_AUDIT_STORE) private readonly audit: AdminAuditStore) {}

  @Get()
  @ApiSummary('The audit log of admin changes, newest first')
  @ApiResponse({ status: 200, description: 'A page of audit entries.', schema: AuditListViewSchema })
  async list(@ValidQuery(AuditListQuerySchema) query: AuditListQuery): Promise<ListPage<AuditEntryView>> {
    const rows = await this.audit.list({ limit: query.limit + 1, before: query.after, action: query.action, targetId: query.target });
    return pageOf(rows, query.limit, presentAuditEntry);
  }
}
