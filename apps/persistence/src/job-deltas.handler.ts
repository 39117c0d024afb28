import { Controller, Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { MessageTypes, type JobDelta, type JobDeltas } from '@conveyor/contracts';
import { JOB_CHUNK_STORE, type JobChunk, type JobChunkStore } from '@conveyor/database';
import { OnMessage } from '@conveyor/messaging';

/**
 * Messages a batch may hold before it is written without waiting out the window: well under the queue's prefetch,
 * so the broker never stops delivering while a batch waits.
 */
export const MAX_MESSAGES_PER_BATCH = 128;

/**
 * Stores job chunks (`conveyor.persistence.deltas`) for stream replay, at a coarser grain than they are relayed:
 * chunks that arrive within STREAM_STORE_MS of the batch's first are written together, each job's consecutive
 * chunks as one row (see chunk-runs.util.ts), and each message is acked once its batch is committed. Chunks are
 * best effort: a database error drops the batch (acked, logged), since the job's final result, not its chunks, is
 * the source of truth, and a retry would only deliver stale text late.
 */
@Controller()
export class JobDeltasHandler implements OnModuleDestroy {
  private readonly logger = new Logger(JobDeltasHandler.name);
  private pending: JobChunk[] = [];
  private settle: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly windowMs: number;

  constructor(
    @Inject(JOB_CHUNK_STORE) private readonly chunks: JobChunkStore,
    @Inject(CONVEYOR_CONFIG) config: Pick<ConveyorConfig, 'streaming'>,
  ) {
    this.windowMs = config.streaming.storeMs;
  }

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
      for (const e of events) this.pending.push({ jobId: e.job_id, attempt: e.attempt, seq: e.seq, content: e.content });
      this.settle.push(done);
      if (this.settle.length >= MAX_MESSAGES_PER_BATCH) void this.write();
      else this.timer ??= setTimeout(() => void this.write(), this.windowMs);
    });
  }

  /** Writes what is pending, so a graceful stop acks (rather than hands back) the chunks already taken. */
  async onModuleDestroy(): Promise<void> {
    await this.write();
  }

  private async write(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const [batch, settle] = [this.pending, this.settle];
    [this.pending, this.settle] = [[], []];
    if (settle.length === 0) return;
    try {
      await this.chunks.insertMany(batch);
    } catch (err) {
      this.logger.warn(`dropped ${batch.length} chunk(s) for replay: ${(err as Error).message}`);
    }
    for (const done of settle) done();
  }
}
