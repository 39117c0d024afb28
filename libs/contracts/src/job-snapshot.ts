import type { JobCancelled, JobCompleted, JobExpired, JobFailed } from './job-events.schema';
import type { JobStatus } from './job-status';

/** A terminal job event, tagged with its type. Persistence publishes each once the job's row says so. */
export type TerminalEvent =
  | { type: 'job.completed'; event: JobCompleted }
  | { type: 'job.failed'; event: JobFailed }
  | { type: 'job.cancelled'; event: JobCancelled }
  | { type: 'job.expired'; event: JobExpired };

/** The status a terminal event announces. */
export const STATUS_OF_TERMINAL: Record<TerminalEvent['type'], JobStatus> = {
  'job.completed': 'completed',
  'job.failed': 'failed',
  'job.cancelled': 'cancelled',
  'job.expired': 'expired',
};

/** When the event happened: the webhook's `created_at`. */
export function occurredAt(terminal: TerminalEvent): string {
  switch (terminal.type) {
    case 'job.completed':
      return terminal.event.completed_at;
    case 'job.failed':
      return terminal.event.failed_at;
    case 'job.cancelled':
      return terminal.event.cancelled_at;
    case 'job.expired':
      return terminal.event.expired_at;
  }
}
