import { Module } from '@nestjs/common';
import { ADMIN_AUDIT_STORE, DatabaseModule, DEAD_LETTER_STORE, TENANT_ADMIN_STORE } from '@conveyor/database';
import { AdmissionModule } from '../admission/admission.module';
import { AccessChangeNotifier } from './access-change.notifier';
import { AdminIdentityController } from './admin-identity.controller';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { ApiKeysService } from './api-keys/api-keys.service';
import { AuditController } from './audit/audit.controller';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DeadLettersService } from './dead-letters/dead-letters.service';
import { TenantLimitsController } from './tenant-limits.controller';
import { TenantsController } from './tenants/tenants.controller';
import { TenantsService } from './tenants/tenants.service';
import { WorkerDirectory } from './workers/worker-directory';
import { WorkersController } from './workers/workers.controller';

/**
 * The operators' API under `/v1/admin`, for admin keys only (ADMIN_API_KEYS; docs/admin.md): tenants and their keys,
 * each tenant's limits, dead letters, workers, and the audit log every change is written to.
 */
@Module({
  imports: [AdmissionModule, DatabaseModule.forFeature([TENANT_ADMIN_STORE, ADMIN_AUDIT_STORE, DEAD_LETTER_STORE])],
  controllers: [
    AdminIdentityController,
    TenantsController,
    TenantLimitsController,
    ApiKeysController,
    DeadLettersController,
    WorkersController,
    AuditController,
  ],
  providers: [AccessChangeNotifier, TenantsService, ApiKeysService, DeadLettersService, WorkerDirectory],
})
export class AdminModule {}
