import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DatabaseModule, IDEMPOTENCY_STORE, JOB_STORE, RATE_BUCKET_STORE, TENANT_LIMITS_STORE, USAGE_STORE } from '@conveyor/database';
import { AdmissionService } from './admission.service';
import { AdmissionSweeper } from './admission-sweeper';
import { BudgetService } from './budget.service';
import { IdempotencyService } from './idempotency.service';
import { RateLimitService } from './rate-limit.service';
import { SubmitContext } from './submit-context';
import { SubmitContextInterceptor } from './submit-context.interceptor';
import { TenantLimitsService } from './tenant-limits.service';
import { TenantSettingsModule } from '../tenant-settings/tenant-settings.module';

/**
 * Admission control (docs/admission.md): rate limits shared by every replica, budgets, Idempotency-Key and priority
 * entitlements, applied by AdmissionService inside JobsService.submit. Exports the limits (the admin API) and the
 * budgets (`GET /v1/usage`).
 */
@Module({
  imports: [DatabaseModule.forFeature([RATE_BUCKET_STORE, IDEMPOTENCY_STORE, TENANT_LIMITS_STORE, USAGE_STORE, JOB_STORE]), TenantSettingsModule],
  providers: [
    AdmissionService,
    SubmitContext,
    IdempotencyService,
    RateLimitService,
    BudgetService,
    TenantLimitsService,
    AdmissionSweeper,
    { provide: APP_INTERCEPTOR, useClass: SubmitContextInterceptor },
  ],
  exports: [AdmissionService, TenantLimitsService, BudgetService],
})
export class AdmissionModule {}
