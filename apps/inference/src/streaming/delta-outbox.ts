import { MAX_CHUNKS_PER_MESSAGE, jobDeltasCc, type JobDelta } from '@conveyor/contracts';
import type { MessagePublisher } from '@conveyor/messaging';
import { realTimer, type CoalescerTimer } from './delta-coalescer';

/**
 * Gathers the coalesced chunks of every job a worker runs into one message per `windowMs`: with many streamed jobs
 * at once, the broker, the streaming replicas and persistence then handle one message per window instead of one
 * per chunk. Like the coalescer it throttles: a chunk after a quiet window goes out at once (alone, as a
 * `job.delta`), and only chunks close behind a send wait for the window's end (together, as a `job.deltas`). A
 * `windowMs` of 0 sends every chunk at once. Chunks are transient: a failed publish is dropped (the final result
 * carries the text).
 */
export class DeltaOutbox {
  private pending: JobDelta[] = [];
  private timer: unknown = null;
  private lastSendAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly publisher: Pick<MessagePublisher, 'publish'>,
    private readonly windowMs: number,
    private readonly clock: CoalescerTimer = realTimer,
  ) {}

  add(chunk: JobDelta): void {
    this.pending.push(chunk);
    if (this.pending.length >= MAX_CHUNKS_PER_MESSAGE) return this.flush();
    if (this.timer !== null) return;
    const wait = this.lastSendAt + this.windowMs - this.clock.now();
    if (wait <= 0) this.flush();
    else
      this.timer = this.clock.set(() => {
        this.timer = null;
        this.flush();
      }, wait);
  }

  /** Sends what is gathered now: before a job's end is published, so none of its text trails the end. */
  flush(): void {
    if (this.timer !== null) this.clock.clear(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const chunks = this.pending;
    this.pending = [];
    this.lastSendAt = this.clock.now();
    const sent =
      chunks.length === 1 ? this.publisher.publish('job.delta', chunks[0]!) : this.publisher.publish('job.deltas', { chunks }, { cc: jobDeltasCc({ chunks }) });
    sent.catch(() => undefined);
  }
}
