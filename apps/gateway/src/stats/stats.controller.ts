import { Controller, Get } from '@nestjs/common';
import { ApiResponse, ApiSummary, ApiTag, TenantId } from '@conveyor/http';
import { StatsService } from './stats.service';
import { FullHealthSchema, StatsSchema, type FullHealthView, type StatsView } from './stats-views.schema';

/** Seed 004's `GET /stats` and `GET /health/full` (Conveyor's own `GET /health` is the health module's). */
@Controller()
@ApiTag('Seed 004: stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('stats')
  @ApiSummary("Queue depth per band (from the broker), workers, and the caller's jobs by status")
  @ApiResponse({ status: 200, description: 'The stats.', schema: StatsSchema })
  get(@TenantId() tenantId: string): Promise<StatsView> {
    return this.stats.stats(tenantId);
  }

  @Get('health/full')
  @ApiSummary('Broker, database, and the state of each deployment the caller may use')
  @ApiResponse({ status: 200, description: 'The full health report (status degraded when the broker or the database is not ready).', schema: FullHealthSchema })
  fullHealth(@TenantId() tenantId: string): Promise<FullHealthView> {
    return this.stats.fullHealth(tenantId);
  }
}
