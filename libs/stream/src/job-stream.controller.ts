import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { isTerminal, isUuid, type JobRecord } from '@conveyor/contracts';
import { JOB_CHUNK_STORE, JOB_STORE, type JobChunkStore, type JobStore } from '@conveyor/database';
import { AllowQueryKey, ConveyorException, ErrorCode, hijackForStream, TenantId } from '@conveyor/http';
import { JobEventRouter } from './job-event.router';
import { JobStreamSession } from './job-stream.session';
import { QueueStandingService } from './queue-standing.service';
import { SseWriter } from './sse.writer';
import { StreamLeases } from './stream-leases.service';
import { InvalidCursorError, parseCursor, type StreamCursor } from './stream-event-id.util';

/**
 * `GET /v1/jobs/{job_id}/stream`: a job's events as resumable SSE. Served by the streaming service and, so that
 * clients need one base URL, by the gateway too. Besides the usual headers it takes `?api_key=`, for EventSource.
 */
@Controller()
export class JobStreamController {
  constructor(
    private readonly router: JobEventRouter,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(JOB_CHUNK_STORE) private readonly chunks: JobChunkStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly leases: StreamLeases,
    private readonly standing: QueueStandingService,
  ) {}

  @Get('v1/jobs/:jobId/stream')
  @AllowQueryKey()
  async stream(@TenantId() tenantId: string, @Param('jobId') jobId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const cursor = this.cursorOf(request);
    if (!isUuid(jobId)) throw ConveyorException.jobNotFound(jobId);
    // The tenant's stream slot first: past the cap nothing is bound or read. It is held until the stream closes.
    const lease = await this.leases.acquire(tenantId);
    let release: (() => Promise<void>) | null = null;
    const writer = new SseWriter(reply.raw, this.config.streaming.clientBufferBytes, () => {
      void release?.();
      void lease();
    });
    try {
      // The reload covers an end this stream's binding may miss (see MissedEndProbe). It asks for the status alone
      // (one narrow read; every waiting stream makes a few) and loads the row once it ended.
      const reload = async () => {
        const status = await this.jobs.statusOf(jobId);
        return status && isTerminal(status) ? this.jobs.findForTenant(tenantId, jobId) : null;
      };
      let job: JobRecord | null = null;
      const standing = {
        everyMs: this.config.streaming.standingMs,
        read: async () => (job ? this.standing.of({ ...job, status: (await this.jobs.statusOf(jobId)) ?? job.status }) : null),
      };
      const session = new JobStreamSession(jobId, cursor, this.chunks, writer, { reload }, standing);
      // Bind before reading the row: an event published in between is buffered, never lost.
      release = await this.router.watch(jobId, session.onEvent);
      job = await this.jobs.findForTenant(tenantId, jobId);
      if (!job) throw ConveyorException.jobNotFound(jobId);
      hijackForStream(reply);
      writer.open(this.config.streaming.heartbeatMs);
      try {
        await session.run(job);
      } catch {
        writer.close(); // the client resumes from its last id
      }
    } catch (err) {
      await release?.();
      await lease();
      throw err;
    }
  }

  private cursorOf(request: FastifyRequest): StreamCursor {
    const header = request.headers['last-event-id'];
    const query = (request.query as Record<string, unknown> | undefined)?.last_event_id;
    const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
    try {
      return parseCursor(raw);
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new ConveyorException(ErrorCode.InvalidRequest, err.message, 'last_event_id');
      throw err;
    }
  }
}
