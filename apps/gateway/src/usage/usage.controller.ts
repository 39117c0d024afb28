import { Controller, Get, Inject, Logger, Query } from '@nestjs/common';
import { USAGE_STORE, type UsageStore } from '@conveyor/database';
import { TenantId } from '../auth/tenant.decorator';
import { storeCall } from '../errors/store-call.util';
import { parseOrThrow } from '../jobs/request-validation.util';
import { UsageQuerySchema } from './usage-query.schema';
import { presentUsage, type UsageListView } from './usage.presenter';

/**
 * `GET /v1/usage`: the calling tenant's token usage per model (and in total), optionally within `since`/`until`.
 * Only ever the caller's own tenant: there is no parameter naming another. Counts completed jobs and the partial
 * usage of jobs cancelled mid-generation; a failed job's tokens are unknown and not counted.
 */
@Controller('v1/usage')
export class UsageController {
  private readonly logger = new Logger(UsageController.name);

  constructor(@Inject(USAGE_STORE) private readonly usage: UsageStore) {}

  @Get()
  async totals(@TenantId() tenantId: string, @Query() query: Record<string, unknown>): Promise<UsageListView> {
    const { since, until } = parseOrThrow(UsageQuerySchema, query, 'query string');
    const rows = await storeCall(this.logger, 'usage store', () => this.usage.totalsForTenant(tenantId, { since, until }));
    return presentUsage(rows);
  }
}
