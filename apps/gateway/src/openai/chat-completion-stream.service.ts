import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { JOB_CHUNK_STORE, JOB_STORE, type JobChunkStore, type JobStore, type NewJob } from '@conveyor/database';
import { JobEventRouter } from '../../../streaming/src/stream/job-event.router';
import { JobStreamSession } from '../../../streaming/src/stream/job-stream.session';
import { SseWriter } from '../../../streaming/src/stream/sse.writer';
import { parseCursor } from '../../../streaming/src/stream/stream-event-id.util';
import { GatewayErrorCode, GatewayException } from '../errors/gateway.exception';
import { chunkHeaderOf } from './chat-completion-chunk.mapper';
import { OpenAiChunkSink } from './openai-chunk.sink';

/**
 * Answers a submitted `stream: true` job with OpenAI chunks. It reuses the streaming service's relay: the same
 * per-process routed queue (bound to `job.*.<id>` while the request lasts), and a JobStreamSession, which covers
 * the gap between the publish and the binding from the job row and the chunk store and reconciles the text with
 * the stored result, so the concatenated deltas equal `result.message.content`.
 */
@Injectable()
export class ChatCompletionStreamService {
  constructor(
    private readonly router: JobEventRouter,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(JOB_CHUNK_STORE) private readonly chunks: JobChunkStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  async stream(job: NewJob, includeUsage: boolean, reply: FastifyReply): Promise<void> {
    let release: (() => Promise<void>) | null = null;
    // The writer's close (end of job, client gone, slow client) releases the binding; the job itself runs on.
    const writer = new SseWriter(reply.raw, this.config.streaming.clientBufferBytes, () => void release?.());
    const sink = new OpenAiChunkSink(writer, chunkHeaderOf(job, includeUsage), job.id);
    const session = new JobStreamSession(job.id, parseCursor(undefined), this.chunks, sink);
    release = await this.router.watch(job.id, (event) => {
      if (event.type === 'job.completed') sink.toolCalls = event.payload.result.message.tool_calls ?? [];
      session.onEvent(event);
    });
    const row = await this.jobs.findForTenant(job.tenantId, job.id).catch(() => null);
    if (!row) {
      await release();
      throw new GatewayException(GatewayErrorCode.DatabaseUnavailable, `Job ${job.id} was queued, but the job store cannot be read to stream it; poll GET /v1/jobs/${job.id}.`);
    }
    if (row.result) sink.toolCalls = row.result.message.tool_calls ?? [];
    reply.hijack();
    writer.open(this.config.streaming.heartbeatMs);
    sink.begin();
    try {
      await session.run(row);
    } catch {
      writer.close();
    }
  }
}
