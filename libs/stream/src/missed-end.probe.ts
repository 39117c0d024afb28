import { isTerminal, type JobRecord } from '@conveyor/contracts';

/** The timer the probe runs on: injected so its spec fires re-reads by hand instead of sleeping. */
export interface ProbeTimer {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realProbeTimer: ProbeTimer = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface MissedEndProbeOptions {
  /** Wait before the first re-read: persistence usually applies a terminal event within milliseconds. */
  firstMs: number;
  /** Longest wait between re-reads (the delay doubles up to this). */
  maxMs: number;
}

export const DEFAULT_PROBE_OPTIONS: MissedEndProbeOptions = { firstMs: 100, maxMs: 5_000 };

/**
 * A stream binds `job.*.<id>` before it reads the job row, and terminal events are published after their rows are
 * written, so an end committed after the read reaches the binding. What that leaves: a binding lost with its queue
 * in a broker outage, and an event heard through another client's binding of the same job that is on its way out.
 * Until the session hears a first event through its own binding (after which everything later is routed to it),
 * this re-reads the row, backing off, and hands over the row once it shows the job ended. A failed read is simply
 * tried again at the next tick.
 */
export class MissedEndProbe {
  private handle: unknown = null;
  private delay: number;
  private stopped = false;

  constructor(
    private readonly reload: () => Promise<JobRecord | null>,
    private readonly onEnded: (job: JobRecord) => void,
    private readonly options: MissedEndProbeOptions = DEFAULT_PROBE_OPTIONS,
    private readonly timer: ProbeTimer = realProbeTimer,
  ) {
    this.delay = options.firstMs;
  }

  start(): void {
    if (!this.stopped && this.handle === null) this.schedule();
  }

  /** A live event arrived (or the stream ended): the job's end cannot pass unseen any more. */
  stop(): void {
    this.stopped = true;
    if (this.handle !== null) this.timer.clear(this.handle);
    this.handle = null;
  }

  private schedule(): void {
    this.handle = this.timer.set(() => void this.tick(), this.delay);
    this.delay = Math.min(this.delay * 2, this.options.maxMs);
  }

  private async tick(): Promise<void> {
    this.handle = null;
    const job = await this.reload().catch(() => null);
    if (this.stopped) return;
    if (job && isTerminal(job.status)) {
      this.stop();
      this.onEnded(job);
    } else {
      this.schedule();
    }
  }
}
