import { mapException } from '@conveyor/http';
import { jobFailureException } from './job-failure.mapper';

const statusOf = (status: 'failed' | 'cancelled' | 'expired', code: string | null) =>
  mapException(jobFailureException({ id: 'j', status, error: code ? { code, message: 'm' } : null }));

describe('jobFailureException', () => {
  it.each([
    ['provider_error', 502],
    ['retries_exhausted', 502],
    ['internal_error', 502],
    ['deadline_exceeded', 504],
    ['providers_unavailable', 503],
  ])('maps a job failed with %s to %i', (code, status) => {
    expect(statusOf('failed', code).status).toBe(status);
  });

  it('asks the client to retry later when no provider is available', () => {
    expect(statusOf('failed', 'providers_unavailable').headers).toHaveProperty('retry-after');
  });

  it('answers a cancelled job with 410, which the SDKs do not retry', () => {
    expect(statusOf('cancelled', null)).toMatchObject({ status: 410, body: { error: { code: 'job_cancelled' } } });
  });

  it('answers a job that expired in the queue with 410 job_expired: resubmitting would defeat its deadline', () => {
    expect(statusOf('expired', null)).toMatchObject({ status: 410, body: { error: { code: 'job_expired', type: 'invalid_request_error' } } });
  });
});
