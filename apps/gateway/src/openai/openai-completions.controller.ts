import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TenantId } from '../auth/tenant.decorator';
import type { ChatCompletionView } from '@conveyor/contracts';
import { presentChatCompletion } from '../jobs/job.presenter';
import { JobsService, type BeforePublish } from '../jobs/jobs.service';
import { ChatCompletionStreamService } from './chat-completion-stream.service';
import { jobFailureException } from './job-failure.mapper';
import { JobCompletionWaiter } from './job-completion.waiter';
import { responseShapeOf, withHeaderPriority } from './openai-request.util';

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
  async create(
    @TenantId() tenantId: string,
    @Body() rawBody: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChatCompletionView | undefined> {
    const body = withHeaderPriority(request, rawBody);
    const shape = responseShapeOf(body);
    const submit = (beforePublish: BeforePublish) => this.jobs.submit(tenantId, body, null, beforePublish);
    if (shape.stream) {
      await this.streams.submitAndStream(submit, shape.includeUsage, reply);
      return undefined;
    }
    const gone = new AbortController();
    reply.raw.on('close', () => gone.abort());
    const { job, outcome } = await this.waiter.submitAndWait(tenantId, submit, gone.signal);
    void reply.header('x-conveyor-job-id', job.id);
    if (!outcome) return undefined; // nobody is listening any more
    if (outcome.status === 'completed') return presentChatCompletion(job.id, outcome.result, outcome.completedAt);
    throw jobFailureException({ id: job.id, status: outcome.status, error: outcome.status === 'failed' ? outcome.error : null });
  }
}
