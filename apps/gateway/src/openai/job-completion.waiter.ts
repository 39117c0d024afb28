import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobResult } from '@conveyor/contracts';
import { JOB_STORE, type JobRecord, type JobStore, type NewJob } from '@conveyor/database';
import type { BeforePublish } from '../jobs/jobs.service';
import { JobEventRouter, type JobEvent } from '../../../streaming/src/stream/job-event.router';

/** How a job ended, from its terminal event or its row. */
export type JobOutcome =
  | { status: 'completed'; result: JobResult; completedAt: Date }
  | { status: 'failed'; error: JobRecord['error'] }
  | { status: 'cancelled' };

/** A backstop for a terminal event this process missed (a broker reconnect while bound). */
const POLL_MS = 500;

/** A job being watched: `wait` for its end, `release` the binding when done (or if the job was never accepted). */
export interface CompletionWatch {
  wait(signal: AbortSignal): Promise<JobOutcome | null>;
  release(): Promise<void>;
}

/**
 * Waits for a job to end, for callers that answer synchronously. The terminal event arrives on the process's
 * routed queue (bound to `job.*.<id>` from `watch`, which the caller runs before the job is published, so no
 * event can pass unseen), usually before persistence has written the row, so the answer comes from the event;
 * the row is read first (the job may already be done) and then every POLL_MS, a backstop for a terminal event
 * missed while the broker connection was down.
 */
@Injectable()
export class JobCompletionWaiter {
  constructor(
    private readonly router: JobEventRouter,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
  ) {}

  /**
   * Submits through `submit` (see JobsService.submit), watching the job from before its publish; resolves
   * with the outcome, or null once `signal` aborts (the caller left; the job keeps running).
   */
  async submitAndWait(tenantId: string, submit: (beforePublish: BeforePublish) => Promise<NewJob>, signal: AbortSignal): Promise<{ job: NewJob; outcome: JobOutcome | null }> {
    let watch: CompletionWatch | null = null;
    let job: NewJob;
    try {
      job = await submit(async (j) => void (watch = await this.watch(tenantId, j.id)));
    } catch (err) {
      await (watch as CompletionWatch | null)?.release();
      throw err;
    }
    const accepted = watch as unknown as CompletionWatch;
    try {
      return { job, outcome: await accepted.wait(signal) };
    } finally {
      // The answer does not wait for the unbind (a broker round trip); the router serialises it with any later
      // bind of the same job, and a failed unbind leaves only a binding the replica's queue outlives harmlessly.
      void accepted.release().catch(() => undefined);
    }
  }

  async watch(tenantId: string, jobId: string): Promise<CompletionWatch> {
    let ended!: (outcome: JobOutcome) => void;
    const fromEvent = new Promise<JobOutcome>((resolve) => (ended = resolve));
    const release = await this.router.watch(jobId, (event) => {
      const outcome = outcomeOfEvent(event);
      if (outcome) ended(outcome);
    });
    const wait = async (signal: AbortSignal): Promise<JobOutcome | null> => {
      while (!signal.aborted) {
        const settled = await Promise.race([fromEvent, this.jobs.findForTenant(tenantId, jobId).then((row) => (row ? outcomeOfRow(row) : null))]);
        if (settled) return settled;
        const next = await Promise.race([fromEvent, sleep(POLL_MS, null, { signal }).catch(() => null)]);
        if (next) return next;
      }
      return null;
    };
    return { wait, release };
  }
}

export function outcomeOfEvent(event: JobEvent): JobOutcome | null {
  switch (event.type) {
    case 'job.completed':
      return { status: 'completed', result: event.payload.result, completedAt: new Date(event.payload.completed_at) };
    case 'job.failed':
      return { status: 'failed', error: event.payload.error };
    case 'job.cancelled':
      return { status: 'cancelled' };
    default:
      return null;
  }
}

export function outcomeOfRow(row: JobRecord): JobOutcome | null {
  if (row.status === 'completed' && row.result) return { status: 'completed', result: row.result, completedAt: row.completedAt ?? row.updatedAt };
  if (row.status === 'failed') return { status: 'failed', error: row.error };
  if (row.status === 'cancelled') return { status: 'cancelled' };
  return null;
}
