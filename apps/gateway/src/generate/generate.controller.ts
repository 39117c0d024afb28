import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiResponse, ApiSummary, ApiTag, TenantId, ValidBody } from '@conveyor/http';
import { JobsService } from '../jobs/jobs.service';
import { completionRequestOf } from './generate-job.mapper';
import { presentTaskQueued, presentTaskResult, presentTaskStatus } from './generate.presenter';
import { generateRequestSchema, type GenerateRequest } from './generate-request.schema';
import { TaskQueuedSchema, TaskResultSchema, TaskStatusSchema, type TaskQueuedView, type TaskResultView, type TaskStatusView } from './generate-views.schema';

/**
 * Seed 001's API (`POST /generate`, `GET /status/{task_id}`, `GET /result/{task_id}`) over Conveyor's jobs: a task
 * is a job (task_id = job id) with the prompt as its one user message, queued and run like any other, so it is
 * also readable at `/v1/jobs/{id}`. Its stream, `GET /stream/{task_id}`, is in task-stream/.
 */
@Controller()
@ApiTag('Seed 001: generate')
export class GenerateController {
  constructor(private readonly jobs: JobsService) {}

  @Post('generate')
  @HttpCode(202)
  @ApiSummary('Queue a text generation; answers at once with its task_id')
  @ApiResponse({ status: 202, description: 'Queued.', schema: TaskQueuedSchema })
  async generate(@TenantId() tenantId: string, @ValidBody((c) => generateRequestSchema(c.limits)) request: GenerateRequest): Promise<TaskQueuedView> {
    const job = await this.jobs.submit(tenantId, completionRequestOf(request));
    return presentTaskQueued(job.id);
  }

  @Get('status/:taskId')
  @ApiSummary("A task's state: queued, processing, completed or failed")
  @ApiResponse({ status: 200, description: "The task's state.", schema: TaskStatusSchema })
  async status(@TenantId() tenantId: string, @Param('taskId') taskId: string): Promise<TaskStatusView> {
    return presentTaskStatus(await this.jobs.get(tenantId, taskId));
  }

  @Get('result/:taskId')
  @ApiSummary("A task's result and metrics, its state while it runs, or its error")
  @ApiResponse({
    status: 200,
    description: 'The result (status completed), the state (queued, processing) or the error form (status error).',
    schema: TaskResultSchema,
  })
  async result(@TenantId() tenantId: string, @Param('taskId') taskId: string): Promise<TaskResultView> {
    return presentTaskResult(await this.jobs.get(tenantId, taskId));
  }
}
