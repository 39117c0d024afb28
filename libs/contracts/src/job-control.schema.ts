import { z } from 'zod';

/**
 * A caller asked to cancel a running job. Broadcast to every worker (transient: a worker that missed it
 * simply finishes the job); the one running the job aborts its upstream call and publishes `job.cancelled`.
 */
export const JobCancelRequestedSchema = z.object({
  job_id: z.uuid(),
  tenant_id: z.string().min(1),
  requested_at: z.iso.datetime({ offset: true }),
});
export type JobCancelRequested = z.infer<typeof JobCancelRequestedSchema>;
