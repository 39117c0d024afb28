import { Controller, Get, Put } from '@nestjs/common';
import { ApiResponse, ApiSummary, ApiTag, TenantId, ValidBody } from '@conveyor/http';
import { TenantSettingsService } from '../tenant-settings/tenant-settings.service';
import { SettingsViewSchema, type SettingsView } from './batch-api-views.schema';
import { settingsUpdateSchema, type SettingsUpdate } from './settings-request.schema';
import { presentSettings, settingsUpdateOf } from './settings.presenter';

/**
 * Seed 002's `GET`/`PUT /v1/settings`: the tenant's token cap and latency target per priority, and its own provider
 * key, shown masked (`***` and its last four characters) and never otherwise. A change applies on every replica
 * without a restart (see TenantSettingsService).
 */
@Controller('v1/settings')
@ApiTag('Seed 002: batch API')
export class SettingsController {
  constructor(private readonly settings: TenantSettingsService) {}

  @Get()
  @ApiSummary("The caller's settings, its provider keys masked")
  @ApiResponse({ status: 200, description: 'The settings in force.', schema: SettingsViewSchema })
  async get(@TenantId() tenantId: string): Promise<SettingsView> {
    return presentSettings(await this.settings.of(tenantId));
  }

  @Put()
  @ApiSummary('Change some of the settings (only the fields given)')
  @ApiResponse({ status: 200, description: 'The settings as they are now.', schema: SettingsViewSchema })
  async put(@TenantId() tenantId: string, @ValidBody((c) => settingsUpdateSchema(c.limits.maxTokensCap)) body: SettingsUpdate): Promise<SettingsView> {
    return presentSettings(await this.settings.update(tenantId, settingsUpdateOf(body)));
  }
}
