import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { JobAcceptedView } from '@conveyor/contracts';
import { TenantId } from '../auth/tenant.decorator';
import { GatewayErrorCode, GatewayException } from '../errors/gateway.exception';
import { ChatCompletionStreamService } from '../openai/chat-completion-stream.service';
import { responseShapeOf } from '../openai/openai-request.util';
import { JobCallbackService } from '../webhooks/job-callback.service';
import { presentAccepted } from './job.presenter';
import { JobsService } from './jobs.service';

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
  async submit(
    @TenantId() tenantId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<(JobAcceptedView & { callback_secret?: string }) | undefined> {
    const shape = responseShapeOf(body);
    if (shape.stream) {
      if ((body as { callback_url?: unknown }).callback_url != null) {
        throw new GatewayException(GatewayErrorCode.InvalidRequest, "Invalid 'callback_url': not supported with stream: true.", 'callback_url');
      }
      await this.streams.submitAndStream((beforePublish) => this.jobs.submit(tenantId, body, null, beforePublish), shape.includeUsage, reply);
      return undefined;
    }
    const callback = await this.callbacks.fromRequest(body);
    const job = await this.jobs.submit(tenantId, body, callback);
    void reply.header('location', `/v1/jobs/${job.id}`);
    return callback ? { ...presentAccepted(job), callback_secret: callback.secret } : presentAccepted(job);
  }
}
