import type { JobRecord } from '@conveyor/database';
import { GatewayErrorCode, GatewayException } from '../errors/gateway.exception';

/**
 * A job that ended without a result, as the error a caller who waited for it receives (non-streaming
 * `/openai/v1/chat/completions`, or the error frame of a stream). Statuses: provider_error and the other
 * failures → 502, providers_unavailable → 503 with retry-after, deadline_exceeded → 504, cancelled → 410.
 */
export function jobFailureException(job: Pick<JobRecord, 'id' | 'status' | 'error'>): GatewayException {
  if (job.status === 'cancelled') return new GatewayException(GatewayErrorCode.JobCancelled, `Job ${job.id} was cancelled.`);
  const message = `Job ${job.id} failed: ${job.error?.message ?? 'unknown error'}`;
  switch (job.error?.code) {
    case 'provider_error':
      return new GatewayException(GatewayErrorCode.ProviderError, message);
    case 'providers_unavailable':
      return new GatewayException(GatewayErrorCode.ProvidersUnavailable, message);
    case 'deadline_exceeded':
      return new GatewayException(GatewayErrorCode.DeadlineExceeded, message);
    default:
      return new GatewayException(GatewayErrorCode.JobFailed, message);
  }
}
