import { Injectable } from '@nestjs/common';

/** How many tombstones a worker keeps; past it the oldest go (their jobs then cost a provider call, not a wrong result). */
const MAX_TOMBSTONES = 100_000;

/**
 * The jobs that ended without running — cancelled or expired while queued — whose messages may still be waiting in
 * a band. A worker acks such a message without running it, instead of reading every job's row before it starts.
 * Fed by the terminal events every worker hears (TombstoneListener) and, at start-up, by one query for the window
 * a job may stay queued.
 */
@Injectable()
export class TombstoneRegistry {
  private readonly ids = new Set<string>();
  /** Jobs waiting in a batching window here, told at once when they end without running. */
  private readonly watchers = new Map<string, () => void>();

  add(jobId: string): void {
    if (this.ids.has(jobId)) return;
    if (this.ids.size >= MAX_TOMBSTONES) this.ids.delete(this.ids.values().next().value!);
    this.ids.add(jobId);
    this.watchers.get(jobId)?.();
  }

  /** Calls `onEnded` if the job gets a tombstone before `unwatch`. */
  watch(jobId: string, onEnded: () => void): void {
    this.watchers.set(jobId, onEnded);
  }

  unwatch(jobId: string): void {
    this.watchers.delete(jobId);
  }

  has(jobId: string): boolean {
    return this.ids.has(jobId);
  }

  get size(): number {
    return this.ids.size;
  }
}
