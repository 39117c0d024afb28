import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobResult } from '@conveyor/contracts';
import { JOB_STORE, type JobRecord, type JobStore } from '@conveyor/database';
import { JobEventRouter, type JobEvent } from '../../../streaming/src/stream/job-event.router';

/** How a job ended, from its terminal event or its row. */
export type JobOutcome =
  | { status: 'completed'; result: JobResult; completedAt: Date }
  | { status: 'failed'; error: JobRecord['error'] }
  | { status: 'cancelled' };

/** A backstop for a terminal event this process missed (a broker reconnect while bound). */
const POLL_MS = 500;

/**
 * Waits for a job to end, for callers that answer synchronously. The terminal event arrives on the process's
 * routed queue (bound to `job.*.<id>` while waiting), usually before persistence has written the row, so the
 * answer comes from the event; the row is read first (the job may already be done) and then every POLL_MS.
 */
@Injectable()
export class JobCompletionWaiter {
  constructor(
    private readonly router: JobEventRouter,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
  ) {}

  /** Resolves with the outcome, or null once `signal` aborts (the caller left; the job keeps running). */
  async waitForEnd(tenantId: string, jobId: string, signal: AbortSignal): Promise<JobOutcome | null> {
    let ended!: (outcome: JobOutcome) => void;
    const fromEvent = new Promise<JobOutcome>((resolve) => (ended = resolve));
    const release = await this.router.watch(jobId, (event) => {
      const outcome = outcomeOfEvent(event);
      if (outcome) ended(outcome);
    });
    try {
      while (!signal.aborted) {
        const row = await this.jobs.findForTenant(tenantId, jobId);
        const stored = row ? outcomeOfRow(row) : null;
        if (stored) return stored;
        const next = await Promise.race([fromEvent, sleep(POLL_MS, null, { signal }).catch(() => null)]);
        if (next) return next;
      }
      return null;
    } finally {
      await release();
    }
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
