import type { JobRequested } from '@conveyor/contracts';
import type { NewJob } from '@conveyor/database';

/** The `job.requested` message for a stored job: what a worker needs to run it, and nothing else. */
export function jobRequestedOf(job: NewJob): JobRequested {
  return {
    job_id: job.id,
    tenant_id: job.tenantId,
    model: job.model,
    priority: job.priority,
    messages: job.messages,
    params: job.params,
    metadata: job.metadata,
    created_at: job.createdAt.toISOString(),
  };
}
