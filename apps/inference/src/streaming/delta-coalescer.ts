/** The clock and timer the coalescer runs on: injected so its spec drives time by hand instead of sleeping. */
export interface CoalescerTimer {
  now(): number;
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimer: CoalescerTimer = {
  now: () => performance.now(),
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface DeltaCoalescerOptions {
  /** At most one chunk per this many ms (bounds broker traffic), and the longest a delta waits before it is published. */
  maxDelayMs: number;
  /** Publish at once when this many characters are buffered (bounds message size at high token rates). */
  maxChars: number;
  /**
   * Whether anyone watches the text (default true). Until then nothing is published: the text so far is kept and
   * goes out as the first chunk when `goLive` is called, and `flush` drops it (the job's result carries the text).
   */
  live?: boolean;
}

/** Receives one coalesced chunk; `seq` counts chunks from 0 per generation, so 0 means "the text starts over". */
export type ChunkSink = (content: string, seq: number) => void;

/**
 * Groups a provider's deltas into fewer, larger `job.delta` chunks, so broker traffic stays bounded at high
 * token rates (one message per `maxDelayMs` or `maxChars`, not one per token). It throttles rather than
 * debounces: a delta arriving when nothing was published in the last `maxDelayMs` goes out at once (the
 * first token, and every token of a slow stream, add no delay), and deltas that follow within the window
 * wait only until it ends. Chunk seqs are contiguous from 0; a provider restart (a delta with
 * seq 0, after a fallback) drops what the abandoned generation still had buffered and starts again at 0,
 * exactly as the uncoalesced deltas did (the first chunk of the new generation carries seq 0). Call `flush()`
 * before the terminal event, so no text trails it.
 */
export class DeltaCoalescer {
  private buffer = '';
  private nextSeq = 0;
  private timer: unknown = null;
  private lastPublishAt = Number.NEGATIVE_INFINITY;
  private live: boolean;

  constructor(
    private readonly options: DeltaCoalescerOptions,
    private readonly sink: ChunkSink,
    private readonly clock: CoalescerTimer = realTimer,
  ) {
    this.live = options.live ?? true;
  }

  /** One provider delta, with the provider's own seq (0 restarts the text). */
  push(content: string, providerSeq: number): void {
    if (providerSeq === 0) this.restart();
    this.buffer += content;
    if (!this.live) return;
    if (this.timer !== null && this.buffer.length < this.options.maxChars) return;
    const wait = this.lastPublishAt + this.options.maxDelayMs - this.clock.now();
    if (wait <= 0 || this.buffer.length >= this.options.maxChars) this.flush();
    else this.timer = this.clock.set(() => this.onTimer(), wait);
  }

  /** Someone started watching: from now on chunks are published, the first holding all the text so far. */
  goLive(): void {
    if (this.live) return;
    this.live = true;
    this.flush();
  }

  /** Publishes whatever is buffered now, if anything (and drops it while nobody watches). */
  flush(): void {
    this.cancelTimer();
    if (!this.live) this.buffer = '';
    if (this.buffer === '') return;
    const content = this.buffer;
    this.buffer = '';
    this.lastPublishAt = this.clock.now();
    this.sink(content, this.nextSeq++);
  }

  private restart(): void {
    this.cancelTimer();
    this.buffer = '';
    this.nextSeq = 0;
  }

  private onTimer(): void {
    this.timer = null;
    this.flush();
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.clock.clear(this.timer);
    this.timer = null;
  }
}
