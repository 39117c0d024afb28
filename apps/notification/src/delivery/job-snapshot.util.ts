import type { JobCancelled, JobCompleted, JobFailed, JobStatus } from '@conveyor/contracts';
import type { JobRecord } from '@conveyor/database';

/** A terminal job event, tagged with its type. */
export type TerminalEvent =
  | { type: 'job.completed'; event: JobCompleted }
  | { type: 'job.failed'; event: JobFailed }
  | { type: 'job.cancelled'; event: JobCancelled };

const STATUS_OF: Record<TerminalEvent['type'], JobStatus> = { 'job.completed': 'completed', 'job.failed': 'failed', 'job.cancelled': 'cancelled' };

/** When the event happened: the webhook's `created_at`. */
export function occurredAt(terminal: TerminalEvent): string {
  if (terminal.type === 'job.completed') return terminal.event.completed_at;
  if (terminal.type === 'job.failed') return terminal.event.failed_at;
  return terminal.event.cancelled_at;
}

/**
 * The job as the event left it. The persistence service consumes the same event concurrently, so the row
 * may not show it yet: the event's own fields are laid over the row, exactly as persistence will write them.
 * If the row already ended otherwise (a job cancelled while its completion was in flight), the event never
 * took effect and nothing is sent for it: null.
 */
export function jobAsOfEvent(job: JobRecord, terminal: TerminalEvent): JobRecord | null {
  const status = STATUS_OF[terminal.type];
  if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') return job.status === status ? job : null;
  const at = new Date(occurredAt(terminal));
  const base = { ...job, status, updatedAt: at };
  switch (terminal.type) {
    case 'job.completed': {
      const e = terminal.event;
      const attemptsLog = e.attempts_log ?? job.attemptsLog;
      return { ...base, result: e.result, completedAt: at, startedAt: job.startedAt ?? new Date(e.started_at), workerId: e.worker_id, attempts: Math.max(job.attempts, e.attempt), attemptsLog };
    }
    case 'job.failed': {
      const e = terminal.event;
      return { ...base, error: e.error, failedAt: at, attempts: Math.max(job.attempts, e.attempt), attemptsLog: e.attempts_log ?? job.attemptsLog };
    }
    case 'job.cancelled':
      return { ...base, cancelledAt: at };
  }
}
