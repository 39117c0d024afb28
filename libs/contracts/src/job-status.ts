export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Job error codes carried by `job.failed` and shown on the job. */
export const JOB_ERROR_CODES = [
  'provider_error',
  'invalid_job',
  'deadline_exceeded',
  'retries_exhausted',
  'providers_unavailable',
  'internal_error',
] as const;
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];
