import { randomUUID } from 'node:crypto';
import { uuidv7, type JobCancelled, type JobCompleted, type JobFailed, type JobResult, type JobStarted } from '@conveyor/contracts';
import type { NewJob } from '@conveyor/contracts';

/** A tenant id no other test uses, so tests can share one database and still assert on whole lists. */
export function uniqueTenant(): string {
  return `tenant-${randomUUID()}`;
}

/** A new job; `at` (ms) sets both its UUIDv7 time and created_at, so ordering is under the test's control. */
export function newJob(tenantId: string, at: number = Date.now()): NewJob {
  return {
    id: uuidv7(at),
    tenantId,
    model: 'simulated',
    priority: 'normal',
    messages: [{ role: 'user', content: 'hello' }],
    params: { max_tokens: 16, temperature: 0.5 },
    metadata: { ticket: 'T-1' },
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    createdAt: new Date(at),
  };
}

export function startedEvent(job: NewJob, attempt: number, workerId: string, startedAt: string): JobStarted {
  return { job_id: job.id, tenant_id: job.tenantId, attempt, worker_id: workerId, started_at: startedAt };
}

export function resultOf(content: string): JobResult {
  return {
    message: { role: 'assistant', content },
    finish_reason: 'stop',
    usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
    provider: 'simulated',
    model: 'simulated',
  };
}

export function completedEvent(job: NewJob, content: string, times: { startedAt: string; completedAt: string }, attempt = 1): JobCompleted {
  return {
    job_id: job.id,
    tenant_id: job.tenantId,
    attempt,
    worker_id: 'worker-a',
    started_at: times.startedAt,
    completed_at: times.completedAt,
    result: resultOf(content),
  };
}

export function failedEvent(job: NewJob, failedAt: string, attempt = 1): JobFailed {
  return {
    job_id: job.id,
    tenant_id: job.tenantId,
    attempt,
    failed_at: failedAt,
    error: { code: 'provider_error', message: 'upstream answered 502' },
  };
}

export function cancelledEvent(job: NewJob, cancelledAt: string): JobCancelled {
  return { job_id: job.id, tenant_id: job.tenantId, cancelled_at: cancelledAt };
}
