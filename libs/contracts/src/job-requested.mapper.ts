import type { JobRequested } from './job-events.schema';
import type { NewJob } from './job-record';

/**
 * The `job.requested` message for a stored job: what a worker needs to run it, and nothing else. `shard` is the
 * tenant's shard of the job's band; `replyTo`, the reply key of a gateway replica waiting for the job's end; `stream`, whether a client watches
 * its text from the start.
 */
export function jobRequestedOf(job: NewJob, shard: number, replyTo?: string, stream = false): JobRequested {
  return {
    job_id: job.id,
    tenant_id: job.tenantId,
    model: job.model,
    priority: job.priority,
    shard,
    ...(replyTo && { reply_to: replyTo }),
    ...(stream && { stream: true }),
    messages: job.messages,
    params: job.params,
    metadata: job.metadata,
    created_at: job.createdAt.toISOString(),
    ...(job.expiresAt && { expires_at: job.expiresAt.toISOString() }),
    ...(job.batchable && { batchable: true }),
    ...(job.settingsVersion && { settings_version: job.settingsVersion }),
  };
}
