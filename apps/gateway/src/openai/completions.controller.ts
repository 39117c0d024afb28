import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { chatCompletionRequestSchema, JobAcceptedViewSchema, presentAccepted, type ChatCompletionRequest, type JobAcceptedView } from '@conveyor/contracts';
import { ApiResponse, ApiSummary, ConveyorException, ErrorCode, TenantId, ValidBody } from '@conveyor/http';
import { JobsService } from '../jobs/jobs.service';
import { JobCallbackService } from '../webhooks/job-callback.service';
import { ChatCompletionStreamService } from './chat-completion-stream.service';

/**
 * `POST /v1/chat/completions`: queue the request and answer 202 with the job and where to poll it. A request
 * with a `callback_url` also gets `callback_secret`, the key its job's webhooks are signed with, shown only here.
 * With `"stream": true` the same request is queued and answered with the job's OpenAI chunks (SSE) instead; it
 * cannot carry a `callback_url`, since a stream has nowhere to show the secret.
 */
@Controller('v1/chat/completions')
export class CompletionsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly callbacks: JobCallbackService,
    private readonly streams: ChatCompletionStreamService,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiSummary('Queue a chat completion (or, with stream: true, stream its OpenAI chunks)')
  @ApiResponse({ status: 202, description: 'Queued: the job and where to poll it (`Location`).', schema: JobAcceptedViewSchema })
  @ApiResponse({ status: 200, description: 'With `stream: true`: `chat.completion.chunk` frames, then `data: [DONE]`.', contentType: 'text/event-stream' })
  async submit(
    @TenantId() tenantId: string,
    @ValidBody((c) => chatCompletionRequestSchema(c.limits)) request: ChatCompletionRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<(JobAcceptedView & { callback_secret?: string }) | undefined> {
    if (request.stream) {
      if (request.callback_url != null) {
        throw new ConveyorException(ErrorCode.InvalidRequest, "Invalid 'callback_url': not supported with stream: true.", 'callback_url');
      }
      await this.streams.submitAndStream(
        tenantId,
        (beforePublish) => this.jobs.submit(tenantId, request, { beforePublish }),
        request.stream_options?.include_usage === true,
        reply,
      );
      return undefined;
    }
    const callback = await this.callbacks.forUrl(request.callback_url);
    const job = await this.jobs.submit(tenantId, request, { callback });
    void reply.header('location', `/v1/jobs/${job.id}`);
    return callback ? { ...presentAccepted(job), callback_secret: callback.secret } : presentAccepted(job);
  }
}
