import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ChatCompletionViewSchema,
  chatCompletionRequestSchema,
  presentChatCompletion,
  type ChatCompletionRequest,
  type ChatCompletionView,
} from '@conveyor/contracts';
import { ApiResponse, ApiSummary, clientGoneSignal, TenantId, ValidBody } from '@conveyor/http';
import { JobCompletionWaiter } from '../jobs/job-completion.waiter';
import { JobsService, type BeforePublish } from '../jobs/jobs.service';
import { ChatCompletionStreamService } from './chat-completion-stream.service';
import { jobFailureException } from './job-failure.mapper';
import { headerPriority } from './openai-request.util';

/**
 * `POST /openai/v1/chat/completions`, the drop-in for OpenAI's SDKs: the request is queued exactly like
 * `POST /v1/chat/completions` (same validation, bands and priority, also from `X-Priority`), then answered as
 * OpenAI would — a `chat.completion` once the job ends, or its chunks with `stream: true`. A client that
 * disconnects while waiting leaves the job running: it is queued work, still readable at `/v1/jobs/{id}`.
 */
@Controller('openai/v1/chat/completions')
export class OpenAiCompletionsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly waiter: JobCompletionWaiter,
    private readonly streams: ChatCompletionStreamService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiSummary("OpenAI's chat completion, through the queue")
  @ApiResponse({ status: 200, description: 'The finished `chat.completion` (with `stream: true`, its chunks as SSE).', schema: ChatCompletionViewSchema })
  async create(
    @TenantId() tenantId: string,
    @ValidBody((c) => chatCompletionRequestSchema(c.limits)) request: ChatCompletionRequest,
    @Req() http: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChatCompletionView | undefined> {
    const defaultPriority = headerPriority(http);
    if (request.stream) {
      const submit = (beforePublish: BeforePublish) => this.jobs.submit(tenantId, request, { beforePublish, defaultPriority });
      await this.streams.submitAndStream(tenantId, submit, request.stream_options?.include_usage === true, reply);
      return undefined;
    }
    const gone = clientGoneSignal(reply.raw);
    const { job, end } = await this.waiter.submitAndWait(tenantId, (hooks) => this.jobs.submit(tenantId, request, { ...hooks, defaultPriority }), gone);
    void reply.header('x-conveyor-job-id', job.id);
    if (!end) return undefined; // nobody is listening any more
    if (end.status === 'completed') return presentChatCompletion(job.id, end.result, end.completedAt);
    throw jobFailureException({ id: job.id, status: end.status, error: end.status === 'failed' ? end.error : null });
  }
}
