import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { z } from 'zod';
import {
  ChatMessageSchema,
  JobListViewSchema,
  JobStatusViewSchema,
  JobViewSchema,
  presentJob,
  presentStatus,
  type JobListView,
  type JobStatusView,
  type JobView,
  type ChatMessage,
} from '@conveyor/contracts';
import { ApiResponse, ApiSummary, TenantId, ValidQuery } from '@conveyor/http';
import { QueueStandingService } from '@conveyor/stream';
import { JobListQuerySchema, type JobListQuery } from './job-list-query.schema';
import { JobsService } from './jobs.service';

/** `GET /v1/jobs/{id}/messages`: the conversation a job was asked to answer (kept out of the job object, which webhooks carry). */
const JobMessagesSchema = z.object({ object: z.literal('list'), data: z.array(ChatMessageSchema) });

/** The job API: one job, its messages, its status (a queued job's with its standing), the tenant's list, and cancel. Another tenant's job is a 404. */
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly standing: QueueStandingService,
  ) {}

  @Get()
  @ApiSummary("The caller's jobs, newest first")
  @ApiResponse({ status: 200, description: 'A page of jobs.', schema: JobListViewSchema })
  list(@TenantId() tenantId: string, @ValidQuery(JobListQuerySchema) query: JobListQuery): Promise<JobListView> {
    return this.jobs.list(tenantId, query);
  }

  @Get(':jobId')
  @ApiSummary('One job: status, result, error, timestamps, attempts, metrics')
  @ApiResponse({ status: 200, description: 'The job.', schema: JobViewSchema })
  async get(@TenantId() tenantId: string, @Param('jobId') jobId: string): Promise<JobView> {
    const job = await this.jobs.get(tenantId, jobId);
    return presentJob(job, await this.standing.of(job));
  }

  @Get(':jobId/messages')
  @ApiSummary("A job's messages, as submitted")
  @ApiResponse({ status: 200, description: 'The messages.', schema: JobMessagesSchema })
  async messages(@TenantId() tenantId: string, @Param('jobId') jobId: string): Promise<{ object: 'list'; data: ChatMessage[] }> {
    const job = await this.jobs.get(tenantId, jobId);
    return { object: 'list', data: job.messages };
  }

  @Get(':jobId/status')
  @ApiSummary("A job's status alone")
  @ApiResponse({ status: 200, description: 'The status.', schema: JobStatusViewSchema })
  async status(@TenantId() tenantId: string, @Param('jobId') jobId: string): Promise<JobStatusView> {
    const job = await this.jobs.get(tenantId, jobId);
    return presentStatus(job, await this.standing.of(job));
  }

  @Post(':jobId/cancel')
  @HttpCode(200)
  @ApiSummary('Cancel a queued or running job')
  @ApiResponse({ status: 200, description: 'The job as the cancel left it.', schema: JobViewSchema })
  async cancel(@TenantId() tenantId: string, @Param('jobId') jobId: string): Promise<JobView> {
    return presentJob(await this.jobs.cancel(tenantId, jobId));
  }
}
