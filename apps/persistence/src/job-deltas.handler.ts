import { Controller, Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MessageTypes, type JobDelta, type JobDeltas } from '@conveyor/contracts';
import { JOB_CHUNK_STORE, type JobChunk, type JobChunkStore } from '@conveyor/database';
import { OnMessage } from '@conveyor/messaging';

/** How long the first chunk of a batch waits for others: short next to a stream's coalescing window. */
const BATCH_WINDOW_MS = 20;

/**
 * Stores job chunks (`conveyor.persistence.deltas`) for stream replay, many per INSERT: chunks that arrive
 * within BATCH_WINDOW_MS of each other (up to the queue's prefetch) are written together, and each is acked
 * once its batch is committed. Chunks are best effort: a database error drops the batch (acked, logged), since
 * the job's final result, not its chunks, is the source of truth, and a retry would only deliver stale text late.
 */
@Controller()
export class JobDeltasHandler implements OnModuleDestroy {
  private readonly logger = new Logger(JobDeltasHandler.name);
  private pending: Array<{ chunk: JobChunk; done: () => void }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(@Inject(JOB_CHUNK_STORE) private readonly chunks: JobChunkStore) {}

  @OnMessage('persistence', MessageTypes.JobDelta)
  delta(@Payload() event: JobDelta): Promise<void> {
    return this.store([event]);
  }

  /** Several jobs' chunks in one message (a worker's gathering window): all in one batch, acked together. */
  @OnMessage('persistence', MessageTypes.JobDeltas)
  deltas(@Payload() event: JobDeltas): Promise<void> {
    return this.store(event.chunks);
  }

  private store(events: readonly JobDelta[]): Promise<void> {
    return new Promise<void>((done) => {
      events.forEach((e, i) => {
        const chunk = { jobId: e.job_id, attempt: e.attempt, seq: e.seq, content: e.content };
        this.pending.push({ chunk, done: i === events.length - 1 ? done : () => undefined });
      });
      this.timer ??= setTimeout(() => void this.write(), BATCH_WINDOW_MS);
    });
  }

  /** Writes what is pending, so a graceful stop acks (rather than hands back) the chunks already taken. */
  async onModuleDestroy(): Promise<void> {
    await this.write();
  }

  private async write(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      await this.chunks.insertMany(batch.map((p) => p.chunk));
    } catch (err) {
      this.logger.warn(`dropped ${batch.length} chunk(s) for replay: ${(err as Error).message}`);
    }
    for (const p of batch) p.done();
  }
}
