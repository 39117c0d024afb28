import { Injectable } from '@nestjs/common';

/** How long a watch of a job not (yet) running here is remembered, and how many at most. */
const REMEMBER_MS = 60_000;
const MAX_REMEMBERED = 10_000;

/**
 * The jobs running here whose text nobody watched when they started, each with the switch that makes its chunks
 * flow. A watch heard just before its job starts here is remembered for a while, so the job starts live; its
 * watcher also re-announces when it hears the job start, which covers a job queued for longer.
 */
@Injectable()
export class WatchedJobs {
  private readonly running = new Map<string, () => void>();
  private readonly requested = new Map<string, number>();

  /** Registers a job about to run; answers whether someone asked to watch it already. */
  begin(jobId: string, goLive: () => void): boolean {
    this.running.set(jobId, goLive);
    const until = this.requested.get(jobId);
    this.requested.delete(jobId);
    return until !== undefined && until > Date.now();
  }

  end(jobId: string): void {
    this.running.delete(jobId);
  }

  /** A watch announced: the job's chunks start flowing if it runs here; otherwise it is remembered. */
  watch(jobId: string): boolean {
    const goLive = this.running.get(jobId);
    if (goLive) {
      goLive();
      return true;
    }
    if (this.requested.size >= MAX_REMEMBERED) this.requested.clear();
    this.requested.set(jobId, Date.now() + REMEMBER_MS);
    return false;
  }
}
