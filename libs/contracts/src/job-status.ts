export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'expired'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** `expired`: the job was still queued when its caller's deadline (`expires_at`) passed, so it never ran. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled', 'expired'];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Job error codes carried by `job.failed` and shown on the job. */
export const JOB_ERROR_CODES = ['provider_error', 'invalid_job', 'deadline_exceeded', 'retries_exhausted', 'providers_unavailable', 'internal_error'] as const;
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];
