import { Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { ApiResponse, ApiSummary, ApiTag, TenantId, ValidBody } from '@conveyor/http';
import { parseCursor } from '@conveyor/stream';
import { JobsService, type BeforePublish } from '../jobs/jobs.service';
import { ChunkedHttpWriter } from '../job-relay/chunked-http.writer';
import { JobRelay } from '../job-relay/job-relay.service';
import { completionRequestOf, presentChatQueued, presentChatTask } from './chat.presenter';
import { ChatRequestSchema, type ChatRequest } from './chat-request.schema';
import { ChatTextSink } from './chat-text.sink';
import { ChatQueuedSchema, ChatTaskSchema, type ChatQueuedView, type ChatTaskView } from './chat-views.schema';
import { jobIdOfSession } from './session-id.util';

/**
 * Seed 004's chat API over Conveyor's queue: `POST /chat` (synchronous, the reply streamed as plain text),
 * `POST /chat/async` (queued; follow it at `stream_url`, `GET /stream/{session_id}`, in task-stream/) and
 * `GET /chat/{task_id}`. The seed's integer priority picks the band.
 */
@Controller('chat')
@ApiTag('Seed 004: chat')
export class ChatController {
  constructor(
    private readonly jobs: JobsService,
    private readonly relay: JobRelay,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiSummary('Chat synchronously: the reply streamed as plain text while it is generated')
  @ApiResponse({ status: 200, description: "The reply's text, sent in chunks as it is generated (chunked transfer).", contentType: 'text/plain' })
  async chat(@TenantId() tenantId: string, @ValidBody(ChatRequestSchema) request: ChatRequest, @Res() reply: FastifyReply): Promise<void> {
    const submit = (beforePublish: BeforePublish) => this.jobs.submit(tenantId, completionRequestOf(request), { beforePublish });
    await this.relay.submitAndRelay(
      tenantId,
      submit,
      parseCursor(undefined),
      (jobId, release) => {
        const writer = new ChunkedHttpWriter(reply.raw, 'text/plain; charset=utf-8', this.config.streaming.clientBufferBytes, release);
        return { sink: new ChatTextSink(writer, jobId), open: () => reply.raw.setHeader('x-conveyor-job-id', jobId) };
      },
      reply,
    );
  }

  @Post('async')
  @HttpCode(200)
  @ApiSummary('Queue a chat message; answers at once with where to stream the reply')
  @ApiResponse({ status: 200, description: 'Queued.', schema: ChatQueuedSchema })
  async chatAsync(@TenantId() tenantId: string, @ValidBody(ChatRequestSchema) request: ChatRequest): Promise<ChatQueuedView> {
    const job = await this.jobs.submit(tenantId, completionRequestOf(request));
    return presentChatQueued(job.id, this.config.compat.prefix);
  }

  @Get(':taskId')
  @ApiSummary("A chat task's state and, once done, its reply (a session id is accepted too)")
  @ApiResponse({ status: 200, description: "The task's state (Celery's names) and result.", schema: ChatTaskSchema })
  async task(@TenantId() tenantId: string, @Param('taskId') taskId: string): Promise<ChatTaskView> {
    return presentChatTask(await this.jobs.get(tenantId, jobIdOfSession(taskId) ?? taskId));
  }
}
