import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { AdminId, AdminRoute, ApiResponse, ApiSummary, ApiTag, ValidBody, ValidQuery } from '@conveyor/http';
import {
  ApiKeyListQuerySchema,
  ApiKeyListViewSchema,
  ApiKeyViewSchema,
  CreateApiKeySchema,
  CreatedApiKeyViewSchema,
  type ApiKeyListQuery,
  type ApiKeyListView,
  type ApiKeyView,
  type CreateApiKey,
  type CreatedApiKeyView,
} from './api-key.schema';
import { ApiKeysService } from './api-keys.service';

/** A tenant's API keys: create (the key is shown once), list with created and last-used times, show, revoke. */
@Controller('v1/admin')
@AdminRoute()
@ApiTag('Admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post('tenants/:tenant/keys')
  @HttpCode(201)
  @ApiSummary('Create an API key for a tenant (the key is in this answer only)')
  @ApiResponse({ status: 201, description: 'The key, with the key itself.', schema: CreatedApiKeyViewSchema })
  create(@AdminId() adminId: string, @Param('tenant') tenant: string, @ValidBody(CreateApiKeySchema) body: CreateApiKey): Promise<CreatedApiKeyView> {
    return this.keys.create(adminId, tenant, body.name ?? null);
  }

  @Get('tenants/:tenant/keys')
  @ApiSummary("A tenant's API keys, newest first (never the keys themselves)")
  @ApiResponse({ status: 200, description: 'The keys.', schema: ApiKeyListViewSchema })
  list(@Param('tenant') tenant: string, @ValidQuery(ApiKeyListQuerySchema) query: ApiKeyListQuery): Promise<ApiKeyListView> {
    return this.keys.list(tenant, query.status);
  }

  @Get('keys/:keyId')
  @ApiSummary('One API key')
  @ApiResponse({ status: 200, description: 'The key.', schema: ApiKeyViewSchema })
  get(@Param('keyId') keyId: string): Promise<ApiKeyView> {
    return this.keys.get(keyId);
  }

  @Delete('keys/:keyId')
  @HttpCode(200)
  @ApiSummary('Revoke an API key: refused on every replica at once')
  @ApiResponse({ status: 200, description: 'The revoked key.', schema: ApiKeyViewSchema })
  revoke(@AdminId() adminId: string, @Param('keyId') keyId: string): Promise<ApiKeyView> {
    return this.keys.revoke(adminId, keyId);
  }
}
