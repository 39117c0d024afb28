import { Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { ApiResponse, ApiSummary, ApiTag, clientGoneSignal, ConveyorException, ErrorCode, TenantId, ValidBody } from '@conveyor/http';
import { JobCompletionWaiter, type WaitingSubmit } from '../jobs/job-completion.waiter';
import { JobsService } from '../jobs/jobs.service';
import { jobFailureException } from '../openai/job-failure.mapper';
import { TenantSettingsService } from '../tenant-settings/tenant-settings.service';
import { GenerationResponseSchema, type GenerationResponse } from './batch-api-views.schema';
import { presentGeneration, queryJobOf } from './batch-api.presenter';
import { bandOfPriority } from './query-priority.util';
import { queryRequestSchema, type QueryRequest } from './query-request.schema';

/** The longest prompt `/v1/query` takes, in characters (the body limit bounds it too). */
const MAX_PROMPT_CHARS = 1_000_000;

/**
 * Seed 002's `POST /v1/query`: the prompt becomes a job in the priority's band, marked batchable so the inference
 * workers batch it with the tenant's other queries of the band, and the answer waits for its end (the completion waiter: the job's terminal event, not polling).
 * It waits the band's latency target (the tenant's `/v1/settings`) plus QUERY_TIMEOUT_GRACE_MS, as the seed does;
 * past that it answers 504 and the job runs on, findable by the id in the error and in `X-Conveyor-Job-Id`.
 */
@Controller('v1/query')
@ApiTag('Seed 002: batch API')
export class QueryController {
  constructor(
    private readonly jobs: JobsService,
    private readonly waiter: JobCompletionWaiter,
    private readonly settings: TenantSettingsService,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiSummary('Ask one question in a priority band and answer once its batch has answered it')
  @ApiResponse({ status: 200, description: "The seed's GenerationResponse, with the job's id and batch.", schema: GenerationResponseSchema })
  async query(
    @TenantId() tenantId: string,
    @ValidBody(queryRequestSchema(MAX_PROMPT_CHARS)) request: QueryRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GenerationResponse | undefined> {
    const { bands } = await this.settings.of(tenantId);
    const waitMs = bands[bandOfPriority(request.priority)].latency_ms + this.config.compat.queryGraceMs;
    const gone = clientGoneSignal(reply.raw);
    const timeout = AbortSignal.timeout(waitMs);
    const signal = AbortSignal.any([gone, timeout]);
    const submit: WaitingSubmit = (hooks) => this.jobs.submit(tenantId, queryJobOf(request), { ...hooks, batchable: true });
    const { job, end } = await this.waiter.submitAndWait(tenantId, submit, signal);
    void reply.header('x-conveyor-job-id', job.id);
    if (!end) {
      if (gone.aborted) return undefined; // the caller left; the job runs on
      throw new ConveyorException(
        ErrorCode.WaitTimeout,
        `The ${request.priority} request did not complete within ${waitMs} ms (its latency target plus grace). Its job ${job.id} runs on: GET /v1/jobs/${job.id}.`,
        null,
        undefined,
        { 'x-conveyor-job-id': job.id },
      );
    }
    if (end.status === 'completed') return presentGeneration(job, end.result, end.completedAt, end.batchId);
    throw jobFailureException({ id: job.id, status: end.status, error: end.status === 'failed' ? end.error : null });
  }
}
