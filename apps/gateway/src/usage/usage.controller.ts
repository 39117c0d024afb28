import { Controller, Get, Inject } from '@nestjs/common';
import { USAGE_STORE, type UsageStore } from '@conveyor/database';
import { TenantId, ValidQuery } from '@conveyor/http';
import { BudgetService } from '../admission/budget.service';
import { TenantLimitsService } from '../admission/tenant-limits.service';
import { UsageQuerySchema, type UsageQuery } from './usage-query.schema';
import { presentUsage, type UsageListView } from './usage.presenter';

/**
 * `GET /v1/usage`: the calling tenant's token usage per model (and in total), optionally within `since`/`until`.
 * Only ever the caller's own tenant: there is no parameter naming another. Counts completed jobs and the partial
 * usage of jobs cancelled mid-generation; a failed job's tokens are unknown and not counted. `budgets` shows the
 * spend of the current UTC day and month against the tenant's budgets, whatever the window.
 */
@Controller('v1/usage')
export class UsageController {
  constructor(
    @Inject(USAGE_STORE) private readonly usage: UsageStore,
    private readonly budgets: BudgetService,
    private readonly limits: TenantLimitsService,
  ) {}

  @Get()
  async totals(@TenantId() tenantId: string, @ValidQuery(UsageQuerySchema) { since, until }: UsageQuery): Promise<UsageListView> {
    const [totals, budgets] = await Promise.all([
      this.usage.totalsForTenant(tenantId, { since, until }),
      this.budgets.view(tenantId, this.limits.limitsOf(tenantId).budgets),
    ]);
    return { ...presentUsage(totals), budgets };
  }
}
