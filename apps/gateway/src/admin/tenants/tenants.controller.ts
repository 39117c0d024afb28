import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { AdminId, AdminRoute, ApiResponse, ApiSummary, ApiTag, ValidBody, ValidQuery } from '@conveyor/http';
import type { ListPage } from '../admin-list.schema';
import {
  CreateTenantSchema,
  presentTenant,
  TenantListQuerySchema,
  TenantListViewSchema,
  TenantViewSchema,
  type CreateTenant,
  type TenantListQuery,
  type TenantView,
} from './tenant.schema';
import { TenantsService } from './tenants.service';

/** `/v1/admin/tenants`: create, list, show, disable, enable. A tenant's limits are at `/v1/admin/tenants/{tenant}/limits`. */
@Controller('v1/admin/tenants')
@AdminRoute()
@ApiTag('Admin')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @HttpCode(201)
  @ApiSummary('Create a tenant')
  @ApiResponse({ status: 201, description: 'The tenant.', schema: TenantViewSchema })
  create(@AdminId() adminId: string, @ValidBody(CreateTenantSchema) body: CreateTenant): Promise<TenantView> {
    return this.tenants.create(adminId, body.id);
  }

  @Get()
  @ApiSummary('Every tenant, by id')
  @ApiResponse({ status: 200, description: 'A page of tenants.', schema: TenantListViewSchema })
  list(@ValidQuery(TenantListQuerySchema) query: TenantListQuery): Promise<ListPage<TenantView>> {
    return this.tenants.list(query);
  }

  @Get(':tenant')
  @ApiSummary('One tenant')
  @ApiResponse({ status: 200, description: 'The tenant.', schema: TenantViewSchema })
  async get(@Param('tenant') tenant: string): Promise<TenantView> {
    return presentTenant(await this.tenants.get(tenant));
  }

  @Post(':tenant/disable')
  @HttpCode(200)
  @ApiSummary('Disable a tenant: its keys are refused (403 tenant_disabled); its accepted jobs run on')
  @ApiResponse({ status: 200, description: 'The tenant.', schema: TenantViewSchema })
  disable(@AdminId() adminId: string, @Param('tenant') tenant: string): Promise<TenantView> {
    return this.tenants.setDisabled(adminId, tenant, true);
  }

  @Post(':tenant/enable')
  @HttpCode(200)
  @ApiSummary('Enable a disabled tenant again')
  @ApiResponse({ status: 200, description: 'The tenant.', schema: TenantViewSchema })
  enable(@AdminId() adminId: string, @Param('tenant') tenant: string): Promise<TenantView> {
    return this.tenants.setDisabled(adminId, tenant, false);
  }
}
