import { Controller, Get, Inject, Logger, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { isTerminal, isUuid } from '@conveyor/contracts';
import { JOB_CHUNK_STORE, JOB_STORE, type JobChunkStore, type JobStore } from '@conveyor/database';
import { Public } from '../../../gateway/src/auth/api-key.guard';
import { GatewayErrorCode, GatewayException } from '../../../gateway/src/errors/gateway.exception';
import { storeCall } from '../../../gateway/src/errors/store-call.util';
import { JobEventRouter } from './job-event.router';
import { JobStreamSession } from './job-stream.session';
import { SseWriter } from './sse.writer';
import { InvalidCursorError, parseCursor, type StreamCursor } from './stream-event-id.util';
import { StreamKeyResolver } from '../stream-key.resolver';

/**
 * `GET /v1/jobs/{job_id}/stream`: a job's events as resumable SSE. Served by the streaming service and, so that
 * clients need one base URL, by the gateway too. It authenticates itself (headers, or `?api_key=` for
 * EventSource), hence `@Public()`: the gateway's header-only guard must not run first.
 */
@Controller()
@Public()
export class JobStreamController {
  private readonly logger = new Logger(JobStreamController.name);

  constructor(
    private readonly keys: StreamKeyResolver,
    private readonly router: JobEventRouter,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(JOB_CHUNK_STORE) private readonly chunks: JobChunkStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  @Get('v1/jobs/:jobId/stream')
  async stream(@Param('jobId') jobId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const key = this.keys.keyOf(request);
    if (!key) throw new GatewayException(GatewayErrorCode.MissingApiKey, 'Missing API key: send Authorization: Bearer <key>, X-API-Key: <key> or ?api_key=<key>.');
    const tenantId = await this.keys.tenantFor(key);
    if (!tenantId) throw new GatewayException(GatewayErrorCode.InvalidApiKey, 'Invalid API key.');
    const cursor = this.cursorOf(request);
    if (!isUuid(jobId)) throw GatewayException.jobNotFound(jobId);

    let release: (() => Promise<void>) | null = null;
    const writer = new SseWriter(reply.raw, this.config.streaming.clientBufferBytes, () => void release?.());
    // The reload covers an end published just before the binding that the row read below does not show yet. It
    // asks for the status alone (one narrow read; every waiting stream makes a few) and loads the row once it ended.
    const reload = async () => {
      const status = await this.jobs.statusOf(jobId);
      return status && isTerminal(status) ? this.jobs.findForTenant(tenantId, jobId) : null;
    };
    const session = new JobStreamSession(jobId, cursor, this.chunks, writer, { reload });
    // Bind before reading the row: an event published in between is buffered, never lost.
    release = await this.router.watch(jobId, session.onEvent);
    const job = await storeCall(this.logger, 'job store', () => this.jobs.findForTenant(tenantId, jobId)).catch(async (err: unknown) => {
      await release!();
      throw err;
    });
    if (!job) {
      await release();
      throw GatewayException.jobNotFound(jobId);
    }
    reply.hijack();
    writer.open(this.config.streaming.heartbeatMs);
    try {
      await session.run(job);
    } catch {
      writer.close(); // the client resumes from its last id
    }
  }

  private cursorOf(request: FastifyRequest): StreamCursor {
    const header = request.headers['last-event-id'];
    const query = (request.query as Record<string, unknown> | undefined)?.last_event_id;
    const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
    try {
      return parseCursor(raw);
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new GatewayException(GatewayErrorCode.InvalidRequest, err.message, 'last_event_id');
      throw err;
    }
  }
}
