import { Injectable } from '@nestjs/common';

/** How long a cancel request for a job not (yet) running here is remembered. */
const REMEMBER_MS = 5 * 60_000;
const MAX_REMEMBERED = 10_000;

/** A job running on this worker, as its heartbeat reports it. */
export interface RunningJob {
  jobId: string;
  tenantId: string;
  startedAt: Date;
}

/**
 * The jobs this worker is running, each with the AbortController that stops its upstream call. A cancel
 * request that arrives just before its job starts here is remembered for a while, so that race still cancels.
 */
@Injectable()
export class CancellationRegistry {
  private readonly running = new Map<string, { controller: AbortController; job: RunningJob }>();
  private readonly requested = new Map<string, number>();

  /** Registers a job about to run; its signal is already aborted if a cancel request came first. */
  begin(jobId: string, tenantId = ''): AbortController {
    const controller = new AbortController();
    if (this.wasRequested(jobId)) controller.abort(new JobCancelledError(jobId));
    this.running.set(jobId, { controller, job: { jobId, tenantId, startedAt: new Date() } });
    return controller;
  }

  /** The jobs running here now, oldest first. */
  runningJobs(): RunningJob[] {
    return [...this.running.values()].map((r) => r.job);
  }

  end(jobId: string): void {
    this.running.delete(jobId);
    this.requested.delete(jobId);
  }

  /** Aborts the job if it runs here; otherwise remembers the request. Answers whether it ran here. */
  cancel(jobId: string): boolean {
    const controller = this.running.get(jobId)?.controller;
    if (controller) {
      controller.abort(new JobCancelledError(jobId));
      return true;
    }
    if (this.requested.size >= MAX_REMEMBERED) this.requested.clear();
    this.requested.set(jobId, Date.now() + REMEMBER_MS);
    return false;
  }

  /** Aborts the job if it runs here (a job whose row ended while it was starting); nothing is remembered otherwise. */
  stop(jobId: string): boolean {
    const controller = this.running.get(jobId)?.controller;
    controller?.abort(new JobCancelledError(jobId));
    return controller !== undefined;
  }

  private wasRequested(jobId: string): boolean {
    const until = this.requested.get(jobId);
    return until !== undefined && until > Date.now();
  }
}

/** The abort reason of a cancelled job, so the runner can tell a cancel from a shutdown or a deadline. */
export class JobCancelledError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} was cancelled`);
    this.name = 'JobCancelledError';
  }
}
