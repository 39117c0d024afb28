import { Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { ApiResponse, ApiSummary, ApiTag, clientGoneSignal, TenantId, ValidBody } from '@conveyor/http';
import { parseCursor } from '@conveyor/stream';
import { JobCompletionWaiter } from '../jobs/job-completion.waiter';
import { JobsService, type BeforePublish } from '../jobs/jobs.service';
import { ChunkedHttpWriter } from '../job-relay/chunked-http.writer';
import { JobRelay } from '../job-relay/job-relay.service';
import { jobFailureException } from '../openai/job-failure.mapper';
import { completionRequestOf, presentComplete } from './complete.presenter';
import { NdjsonChunkSink } from './ndjson-chunk.sink';
import { completeRequestSchema, streamCompleteRequestSchema, type CompleteRequest, type StreamCompleteRequest } from './complete-request.schema';
import {
  ALL_PROVIDERS_UNAVAILABLE,
  CompleteResponseSchema,
  CompleteStreamLineSchema,
  ProvidersUnavailableSchema,
  type CompleteResponse,
  type ProvidersUnavailableBody,
} from './complete-views.schema';

/** Seconds a caller is asked to wait after every provider was unavailable (the routers' cooldowns are about that long). */
const RETRY_AFTER_S = '2';

/**
 * Seed 003's LLM pool API over Conveyor's queue: `POST /complete` waits for its job and answers the text or tool
 * calls with the real usage; `POST /complete/stream` relays the job's text as NDJSON. The group (`quality`,
 * `fast`) or model is the job's model, so routing, retries and cross-group fallback are the inference workers'.
 */
@Controller('complete')
@ApiTag('Seed 003: LLM pool')
export class CompleteController {
  constructor(
    private readonly jobs: JobsService,
    private readonly waiter: JobCompletionWaiter,
    private readonly relay: JobRelay,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiSummary('Run a completion through a model group (or a model) and answer once it ends')
  @ApiResponse({ status: 200, description: 'The text, or the tool calls, with the usage.', schema: CompleteResponseSchema })
  @ApiResponse({ status: 503, description: 'Every provider of the group and of its fallbacks was unavailable.', schema: ProvidersUnavailableSchema })
  async complete(
    @TenantId() tenantId: string,
    @ValidBody((c) => completeRequestSchema(c.limits)) request: CompleteRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CompleteResponse | ProvidersUnavailableBody | undefined> {
    const gone = clientGoneSignal(reply.raw);
    const { job, end } = await this.waiter.submitAndWait(tenantId, (hooks) => this.jobs.submit(tenantId, completionRequestOf(request), hooks), gone);
    void reply.header('x-conveyor-job-id', job.id);
    if (!end) return undefined; // the caller left; the job runs on
    if (end.status === 'completed') return presentComplete(request.model, end.result);
    if (end.status === 'failed' && end.error?.code === 'providers_unavailable') {
      void reply.status(503).header('retry-after', RETRY_AFTER_S);
      return { error: ALL_PROVIDERS_UNAVAILABLE };
    }
    throw jobFailureException({ id: job.id, status: end.status, error: end.status === 'failed' ? end.error : null });
  }

  @Post('stream')
  @HttpCode(200)
  @ApiSummary('The same, streamed as NDJSON lines')
  @ApiResponse({
    status: 200,
    description: 'NDJSON: {"type":"chunk","text"} lines, then {"type":"done"}, or {"type":"error","message"}. The schema is one line.',
    schema: CompleteStreamLineSchema,
    contentType: 'application/x-ndjson',
  })
  async stream(
    @TenantId() tenantId: string,
    @ValidBody((c) => streamCompleteRequestSchema(c.limits)) request: StreamCompleteRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const submit = (beforePublish: BeforePublish) => this.jobs.submit(tenantId, completionRequestOf(request), { beforePublish });
    await this.relay.submitAndRelay(
      tenantId,
      submit,
      parseCursor(undefined),
      (_jobId, release) => {
        const writer = new ChunkedHttpWriter(reply.raw, 'application/x-ndjson', this.config.streaming.clientBufferBytes, release);
        return { sink: new NdjsonChunkSink(writer), open: () => writer.open() };
      },
      reply,
    );
  }
}
