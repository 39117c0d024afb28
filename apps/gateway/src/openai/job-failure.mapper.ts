import type { JobRecord } from '@conveyor/contracts';
import { ConveyorException, ErrorCode } from '@conveyor/http';

/**
 * A job that ended without a result, as the error a caller who waited for it receives (non-streaming
 * `/openai/v1/chat/completions`, or the error frame of a stream). Statuses: provider_error and the other
 * failures → 502, providers_unavailable → 503 with retry-after, deadline_exceeded → 504, cancelled and expired → 410.
 */
export function jobFailureException(job: Pick<JobRecord, 'id' | 'status' | 'error'>): ConveyorException {
  if (job.status === 'cancelled') return new ConveyorException(ErrorCode.JobCancelled, `Job ${job.id} was cancelled.`);
  if (job.status === 'expired')
    return new ConveyorException(ErrorCode.JobExpired, `Job ${job.id} expired before it started (its expires_at passed while it was queued).`);
  const message = `Job ${job.id} failed: ${job.error?.message ?? 'unknown error'}`;
  switch (job.error?.code) {
    case 'provider_error':
      return new ConveyorException(ErrorCode.ProviderError, message);
    case 'providers_unavailable':
      return new ConveyorException(ErrorCode.ProvidersUnavailable, message);
    case 'deadline_exceeded':
      return new ConveyorException(ErrorCode.DeadlineExceeded, message);
    default:
      return new ConveyorException(ErrorCode.JobFailed, message);
  }
}
