import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { queuedRecordOf, type NewJob } from '@conveyor/contracts';
import { JOB_CHUNK_STORE, type JobChunkStore } from '@conveyor/database';
import { hijackForStream } from '@conveyor/http';
import { JobEventRouter, JobStreamSession, parseCursor, SseWriter, StreamLeases } from '@conveyor/stream';
import type { BeforePublish } from '../jobs/jobs.service';
import { chunkHeaderOf } from './chat-completion-chunk.mapper';
import { OpenAiChunkSink } from './openai-chunk.sink';

/**
 * Answers a submitted `stream: true` job with OpenAI chunks. It reuses the streaming service's relay: the same
 * per-process routed queue (bound to `job.*.<id>` while the request lasts), and a JobStreamSession, which fills a
 * gap in the chunks from the chunk store and reconciles the text with the stored result, so the concatenated
 * deltas equal `result.message.content`.
 */
@Injectable()
export class ChatCompletionStreamService {
  constructor(
    private readonly router: JobEventRouter,
    @Inject(JOB_CHUNK_STORE) private readonly chunks: JobChunkStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly leases: StreamLeases,
  ) {}

  /**
   * Submits through `submit` (see JobsService.submit) and answers with the job's chunks. The binding is made
   * before the job is published, so the relay sees the job's events from its first one. The tenant's stream slot
   * is taken before anything else: past the cap, the request is a 429 and no job is created.
   */
  async submitAndStream(
    tenantId: string,
    submit: (beforePublish: BeforePublish) => Promise<NewJob>,
    includeUsage: boolean,
    reply: FastifyReply,
  ): Promise<void> {
    const lease = await this.leases.acquire(tenantId);
    let prepared: PreparedStream | null = null;
    try {
      await submit(async (job) => void (prepared = await this.prepare(job, includeUsage, reply, lease)));
    } catch (err) {
      await (prepared as PreparedStream | null)?.release();
      await lease();
      throw err;
    }
    await (prepared as unknown as PreparedStream).run();
  }

  private async prepare(job: NewJob, includeUsage: boolean, reply: FastifyReply, lease: () => Promise<void>): Promise<PreparedStream> {
    let release: (() => Promise<void>) | null = null;
    // The writer's close (end of job, client gone, slow client) releases the binding and the tenant's stream slot;
    // the job itself runs on.
    const writer = new SseWriter(reply.raw, this.config.streaming.clientBufferBytes, () => {
      void release?.();
      void lease();
    });
    const sink = new OpenAiChunkSink(writer, chunkHeaderOf(job, includeUsage), job.id);
    const session = new JobStreamSession(job.id, parseCursor(undefined), this.chunks, sink);
    release = await this.router.watch(
      job.id,
      (event) => {
        if (event.type === 'job.completed') sink.toolCalls = event.payload.result.message.tool_calls ?? [];
        session.onEvent(event);
      },
      { announce: false },
    );
    const bound = release;
    const run = async () => {
      hijackForStream(reply);
      writer.open(this.config.streaming.heartbeatMs);
      sink.begin();
      try {
        // Bound before the job was published: every change to its row comes as an event, so the row is not read.
        await session.run(queuedRecordOf(job));
      } catch {
        writer.close();
      }
    };
    return { run, release: bound };
  }
}

/** A stream bound to its job's events but not yet answering (the job is being published). */
interface PreparedStream {
  run(): Promise<void>;
  release(): Promise<void>;
}
