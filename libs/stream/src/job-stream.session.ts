import { isTerminal, type JobRecord, type QueueStandingView } from '@conveyor/contracts';
import type { JobChunkStore } from '@conveyor/database';
import { deltaFrameEnd } from './delta-frame.util';
import type { JobEvent } from './job-event.router';
import { DEFAULT_PROBE_OPTIONS, MissedEndProbe, realProbeTimer, type MissedEndProbeOptions, type ProbeTimer } from './missed-end.probe';
import { END_ID, QUEUED_ID, needsRestart, startOffset, textEventId, type StreamCursor } from './stream-event-id.util';
import { reconcile } from './stream-reconcile.util';

/** Where a session writes its events (an SseWriter in production). */
export interface StreamSink {
  readonly isClosed: boolean;
  event(name: string, id: string, data: unknown): void;
  close(): void;
  /** Resolves once the client has taken what is queued (or the stream closed); without it text is never paced. */
  drained?(): Promise<void>;
}

/** Re-reads the job row, for a session that may have bound after the job's end went by (see MissedEndProbe). */
export interface SessionReload {
  reload: () => Promise<JobRecord | null>;
  options?: MissedEndProbeOptions;
  timer?: ProbeTimer;
}

/** A queued job's standing, sent with the `queued` event and again every `everyMs` while the job stays queued. */
export interface StandingUpdates {
  read: () => Promise<QueueStandingView | null>;
  everyMs: number;
  timer?: ProbeTimer;
}

/**
 * One client's relay of one job. Live events are buffered from before the job row is read (the caller binds
 * first), so nothing falls between the stored state and the live feed. Only the current attempt's text is
 * relayed: a new attempt (or a final text that is not a continuation) sends `restart`, after which the text
 * starts over. Deltas are applied in seq order; a gap is filled from the chunk store, and the terminal
 * event reconciles the held text with the stored result. Text goes out in bounded `delta` events (stored text
 * paced by the client's socket), so a large replay or suffix never becomes one huge write. With a
 * `reload`, a session that has heard no live event re-reads the row until the job ends or an event arrives.
 */
export class JobStreamSession {
  private attempt = 0;
  private text = '';
  /** What the client lacks of `text`: kept apart, since slicing the long rope `text` would copy all of it each time. */
  private unsent = '';
  private sent = 0;
  private nextSeq = 0;
  private readonly pending = new Map<number, string>();
  private buffer: JobEvent[] | null = [];
  private chain: Promise<void> = Promise.resolve();
  private heard = false;
  private probe: MissedEndProbe | null = null;
  private standingTimer: { timer: ProbeTimer; handle: unknown } | null = null;
  private ended = false;

  constructor(
    private readonly jobId: string,
    private readonly cursor: StreamCursor,
    private readonly chunks: JobChunkStore,
    private readonly sink: StreamSink,
    private readonly reload?: SessionReload,
    private readonly standing?: StandingUpdates,
  ) {}

  /** The router's listener: buffers until `run` has sent the stored state, then handles events in order. */
  readonly onEvent = (event: JobEvent, assured = true): void => {
    // An event routed through this stream's own binding means the job's end will be routed here too. One heard
    // earlier may have come through another client's binding of the job that is being removed (a client that
    // resumes while its old connection is let go), after which the end can pass unseen: keep re-reading.
    if (assured) {
      this.heard = true;
      this.probe?.stop();
    }
    if (this.buffer) this.buffer.push(event);
    else this.enqueue(event);
  };

  /** Sends the job's stored state from the cursor on, then switches to the buffered and live events. */
  async run(job: JobRecord): Promise<void> {
    if (isTerminal(job.status)) {
      this.buffer = null;
      return this.step(() => this.finishFromRow(job));
    }
    if (job.status === 'queued' && this.cursor.kind !== 'text') await this.announceQueued(true);
    if (job.status === 'running' && job.attempts > 0) {
      this.beginAttempt(job.attempts);
      await this.refill(true);
    }
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const event of buffered) this.enqueue(event);
    if (!this.heard && this.reload) this.startProbe(this.reload);
    await this.chain;
  }

  /** The `queued` event, with the standing when there is one; then the next update, while the job stays queued. */
  private async announceQueued(first: boolean): Promise<void> {
    const queue = await this.standing?.read().catch(() => null);
    if (this.stillQueued()) {
      if (first || queue) this.sink.event('queued', QUEUED_ID, { status: 'queued', ...(queue && { queue }) });
      if (queue || first) this.scheduleStanding();
    }
  }

  private scheduleStanding(): void {
    if (!this.standing) return;
    const timer = this.standing.timer ?? realProbeTimer;
    const handle = timer.set(() => {
      this.standingTimer = null;
      if (this.stillQueued()) void this.step(() => this.announceQueued(false)).catch(() => this.sink.close());
    }, this.standing.everyMs);
    this.standingTimer = { timer, handle };
  }

  private stillQueued(): boolean {
    return this.attempt === 0 && !this.ended && !this.sink.isClosed;
  }

  private stopStanding(): void {
    if (this.standingTimer) this.standingTimer.timer.clear(this.standingTimer.handle);
    this.standingTimer = null;
  }

  private startProbe({ reload, options = DEFAULT_PROBE_OPTIONS, timer = realProbeTimer }: SessionReload): void {
    const probe: MissedEndProbe = new MissedEndProbe(
      (): Promise<JobRecord | null> => (this.sink.isClosed ? (probe.stop(), Promise.resolve(null)) : reload()),
      (job) => void this.step(() => this.finishFromRow(job)).catch(() => this.sink.close()),
      options,
      timer,
    );
    this.probe = probe;
    probe.start();
  }

  /** A live event; a step that fails (the chunk store cannot be read) ends the stream, and the client resumes. */
  private enqueue(event: JobEvent): void {
    this.step(() => this.handle(event)).catch(() => this.sink.close());
  }

  private step(run: () => Promise<void> | void): Promise<void> {
    this.chain = this.chain.then(() => (this.sink.isClosed ? undefined : run()));
    return this.chain;
  }

  private async handle(event: JobEvent): Promise<void> {
    switch (event.type) {
      case 'job.started':
        if (event.payload.attempt > this.attempt) this.beginAttempt(event.payload.attempt);
        return;
      case 'job.delta':
        return this.onDelta(event.payload.attempt, event.payload.seq, event.payload.content);
      case 'job.completed': {
        const { result } = event.payload;
        return this.complete(event.payload.attempt, result.message.content, result.finish_reason, result.usage);
      }
      case 'job.failed':
        return this.end('failed', { error: event.payload.error });
      case 'job.cancelled':
        return this.end('cancelled', event.payload.partial ? { partial_result: event.payload.partial } : {});
      case 'job.expired':
        return this.end('expired', { expired_at: event.payload.expired_at });
    }
  }

  private async onDelta(attempt: number, seq: number, content: string): Promise<void> {
    if (attempt < this.attempt) return;
    if (attempt > this.attempt) this.beginAttempt(attempt);
    if (seq < this.nextSeq) return; // already relayed (from the store or live)
    this.pending.set(seq, content);
    await this.drainPending(false);
    if (this.pending.size > 0) await this.refill(false); // a gap: the store may hold the missing chunks
  }

  /** Reads the attempt's stored chunks and applies those the client has not had yet. */
  private async refill(paced: boolean): Promise<void> {
    for (const chunk of await this.chunks.latestAttempt(this.jobId)) {
      if (chunk.attempt === this.attempt && chunk.seq >= this.nextSeq) this.pending.set(chunk.seq, chunk.content);
    }
    await this.drainPending(paced);
  }

  private async drainPending(paced: boolean): Promise<void> {
    for (let content = this.pending.get(this.nextSeq); content !== undefined; content = this.pending.get(this.nextSeq)) {
      this.pending.delete(this.nextSeq);
      this.nextSeq += 1;
      const before = this.text.length;
      this.text += content;
      this.unsent += content.slice(Math.max(0, this.sent - before));
      await this.flushText(paced);
    }
  }

  /**
   * Sends what the client lacks of the attempt's text (nothing while it holds more than is known), in bounded
   * deltas whose ids each say how much the client holds after it. Catching up on stored text (`paced`) waits for
   * the client between them, so a reader is never cut by a burst; live text is not held back, so a reader that
   * falls behind the live feed passes the writer's cap and is cut.
   */
  private async flushText(paced: boolean): Promise<void> {
    while (this.unsent !== '' && !this.sink.isClosed) {
      const end = deltaFrameEnd(this.unsent, 0);
      const content = this.unsent.slice(0, end);
      this.unsent = this.unsent.slice(end);
      this.sent += end;
      this.sink.event('delta', textEventId(this.attempt, this.sent), { content });
      if (paced && this.unsent !== '') await this.sink.drained?.();
    }
  }

  private beginAttempt(attempt: number): void {
    this.stopStanding();
    const first = this.attempt === 0;
    if (!first || needsRestart(this.cursor, attempt)) this.sink.event('restart', textEventId(attempt, 0), { attempt });
    else if (startOffset(this.cursor, attempt) === 0) this.sink.event('started', textEventId(attempt, 0), { attempt });
    this.sent = first ? startOffset(this.cursor, attempt) : 0;
    this.attempt = attempt;
    this.text = '';
    this.unsent = '';
    this.nextSeq = 0;
    this.pending.clear();
  }

  private async complete(attempt: number, content: string, finishReason: string, usage: unknown): Promise<void> {
    if (this.cursor.kind === 'end') return this.end('completed', { finish_reason: finishReason, usage });
    if (attempt !== this.attempt) this.beginAttempt(attempt);
    // What the client holds: the relayed text, or (resumed past what this replica saw) its claim on the result.
    const held = this.sent <= this.text.length ? this.text.slice(0, this.sent) : this.sent <= content.length ? content.slice(0, this.sent) : null;
    const step = held === null ? { kind: 'restart' as const, text: content } : reconcile(held, content);
    if (step.kind === 'restart') {
      this.sink.event('restart', textEventId(attempt, 0), { attempt });
      this.sent = 0;
    }
    this.text = content;
    this.unsent = content.slice(this.sent);
    await this.flushText(true);
    this.end('completed', { finish_reason: finishReason, usage });
  }

  private finishFromRow(job: JobRecord): Promise<void> | void {
    if (job.status === 'completed' && job.result) {
      return this.complete(Math.max(job.attempts, 1), job.result.message.content, job.result.finish_reason, job.result.usage);
    }
    if (job.status === 'failed') return this.end('failed', { error: job.error });
    if (job.status === 'expired') return this.end('expired', { expired_at: job.expiredAt?.toISOString() ?? null });
    return this.end('cancelled', job.partialResult ? { partial_result: job.partialResult } : {});
  }

  private end(name: 'completed' | 'failed' | 'cancelled' | 'expired', data: unknown): void {
    this.probe?.stop();
    this.stopStanding();
    this.ended = true;
    this.sink.event(name, END_ID, data);
    this.sink.close();
  }
}
