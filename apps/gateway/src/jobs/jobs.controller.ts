import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { JobListView, JobStatusView, JobView } from '@conveyor/contracts';
import { TenantId } from '../auth/tenant.decorator';
import { presentJob, presentStatus } from './job.presenter';
import { JobsService } from './jobs.service';

/** The job API: one job, its status, the tenant's list, and cancel. Another tenant's job is a 404. */
@Controller('v1/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  list(@TenantId() tenantId: string, @Query() query: Record<string, unknown>): Promise<JobListView> {
    return this.jobs.list(tenantId, query);
  }

  @Get(':jobId')
  async get(@TenantId() tenantId: string, @Param('jobId') jobId: string): Promise<JobView> {
    return presentJob(await this.jobs.get(tenantId, jobId));
  }

  @Get(':jobId/status')
  async status(@TenantId() tenantId: string, @Param('jobId') jobId: string): Promise<JobStatusView> {
    return presentStatus(await this.jobs.get(tenantId, jobId));
  }

  @Post(':jobId/cancel')
  @HttpCode(200)
  async cancel(@TenantId() tenantId: string, @Param('jobId') jobId: string): Promise<JobView> {
    return presentJob(await this.jobs.cancel(tenantId, jobId));
  }
}
