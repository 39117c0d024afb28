import { Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { ADMIN_AUDIT_STORE, type AdminAuditStore } from '@conveyor/database';
import { AdminId, AdminRoute, ApiTag, ValidBody } from '@conveyor/http';
import { TenantLimitsOverrideSchema, type TenantLimitsOverride } from '../admission/tenant-limits.schema';
import { TenantLimitsService, type TenantLimitsView } from '../admission/tenant-limits.service';

/**
 * `GET|PUT /v1/admin/tenants/{tenant}/limits`, with an admin key: a tenant's rate limits, budgets and priority
 * bands — the overrides stored for it and the limits in force. PUT replaces the overrides (fields left out take
 * the configured defaults, null removes a limit); every gateway replica applies them within ADMISSION_REFRESH_MS.
 * A PUT is audited (`tenant.limits.update`, with the overrides) once it is stored.
 */
@Controller('v1/admin/tenants/:tenant/limits')
@AdminRoute()
@ApiTag('Admin')
export class TenantLimitsController {
  constructor(
    private readonly limits: TenantLimitsService,
    @Inject(ADMIN_AUDIT_STORE) private readonly audit: AdminAuditStore,
  ) {}

  @Get()
  get(@Param('tenant') tenant: string): Promise<TenantLimitsView> {
    return this.limits.describe(tenant);
  }

  @Put()
  async put(
    @AdminId() adminId: string,
    @Param('tenant') tenant: string,
    @ValidBody(TenantLimitsOverrideSchema) overrides: TenantLimitsOverride,
  ): Promise<TenantLimitsView> {
    const view = await this.limits.replace(tenant, overrides);
    await this.audit.record({ adminId, action: 'tenant.limits.update', targetType: 'tenant', targetId: tenant, details: { overrides } });
    return view;
  }
}
