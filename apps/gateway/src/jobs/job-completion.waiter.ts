import { Inject, Injectable } from '@nestjs/common';
import type { JobRecord, JobResult, NewJob, TerminalEvent } from '@conveyor/contracts';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import type { SubmitOptions } from './jobs.service';
import { ReplyInbox } from './reply.inbox';

/** How a job ended, from its terminal event or its row. */
export type JobEnd =
  | { status: 'completed'; result: JobResult; completedAt: Date; batchId: string | null }
  | { status: 'failed'; error: JobRecord['error'] }
  | { status: 'cancelled' }
  | { status: 'expired' };

/** A backstop for a terminal event this replica missed (its reply queue was re-declared during a broker outage). */
export const POLL_MS = 500;

/** What a waiting caller passes to the submit: the hooks that bind the job's end to this replica. */
export type WaitingSubmit = (hooks: Pick<SubmitOptions, 'beforePublish' | 'replyTo'>) => Promise<NewJob>;

/**
 * Waits for a job to end, for callers that answer synchronously. The job carries this replica's reply key, and its
 * terminal event — published by persistence once the row is written — arrives on the replica's reply queue; the
 * expectation is registered before the job is published, so even a job that ends at once is seen, and the row is
 * read only every POLL_MS after that, a backstop for an event missed during an outage. A replayed job (a repeated
 * Idempotency-Key) published nothing now and may have ended long ago: its row is read at once.
 */
@Injectable()
export class JobCompletionWaiter {
  constructor(
    private readonly inbox: ReplyInbox,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
  ) {}

  /** Submits through `submit`, waiting for the job's end; resolves with it, or null once `signal` aborts (the caller left; the job runs on). */
  async submitAndWait(tenantId: string, submit: WaitingSubmit, signal: AbortSignal): Promise<{ job: NewJob; end: JobEnd | null }> {
    let expectation: ReturnType<ReplyInbox['expect']> | null = null;
    let readFirst = false;
    try {
      const job = await submit({
        replyTo: this.inbox.key,
        beforePublish: async (j, replay) => {
          expectation = this.inbox.expect(j.id);
          readFirst = replay === true;
        },
      });
      return { job, end: await this.wait(tenantId, job.id, expectation!.ended, signal, readFirst) };
    } finally {
      (expectation as ReturnType<ReplyInbox['expect']> | null)?.release();
    }
  }

  private async wait(tenantId: string, jobId: string, ended: Promise<TerminalEvent>, signal: AbortSignal, readFirst: boolean): Promise<JobEnd | null> {
    const fromEvent = ended.then(endOfEvent);
    // A plain timer, cleared as soon as the wait ends, so a finished request leaves no pause of its own running.
    let timer: NodeJS.Timeout | undefined;
    let wake = () => {};
    const pause = () => new Promise<null>((resolve) => ((wake = () => resolve(null)), (timer = setTimeout(wake, POLL_MS))));
    const onAbort = () => wake();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (let read = readFirst; !signal.aborted; read = true) {
        if (read) {
          const settled = await Promise.race([fromEvent, this.jobs.findForTenant(tenantId, jobId).then((row) => (row ? endOfRow(row) : null))]);
          if (settled) return settled;
        }
        const next = await Promise.race([fromEvent, pause()]);
        if (next) return next;
      }
      return null;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }
}

export function endOfEvent(terminal: TerminalEvent): JobEnd {
  switch (terminal.type) {
    case 'job.completed':
      return {
        status: 'completed',
        result: terminal.event.result,
        completedAt: new Date(terminal.event.completed_at),
        batchId: terminal.event.batch?.id ?? null,
      };
    case 'job.failed':
      return { status: 'failed', error: terminal.event.error };
    case 'job.cancelled':
      return { status: 'cancelled' };
    case 'job.expired':
      return { status: 'expired' };
  }
}

export function endOfRow(row: JobRecord): JobEnd | null {
  if (row.status === 'completed' && row.result) {
    return { status: 'completed', result: row.result, completedAt: row.completedAt ?? row.updatedAt, batchId: row.batch?.id ?? null };
  }
  if (row.status === 'failed') return { status: 'failed', error: row.error };
  if (row.status === 'cancelled') return { status: 'cancelled' };
  if (row.status === 'expired') return { status: 'expired' };
  return null;
}
