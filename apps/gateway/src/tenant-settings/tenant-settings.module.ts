import { Module } from '@nestjs/common';
import { DatabaseModule, TENANT_SETTINGS_STORE } from '@conveyor/database';
import { TenantSettingsListener } from './tenant-settings.listener';
import { TenantSettingsService } from './tenant-settings.service';

/** Tenants' own settings (per band: token cap, latency target; provider keys), the same on every replica. */
@Module({
  imports: [DatabaseModule.forFeature([TENANT_SETTINGS_STORE])],
  providers: [TenantSettingsService, TenantSettingsListener],
  exports: [TenantSettingsService],
})
export class TenantSettingsModule {}
