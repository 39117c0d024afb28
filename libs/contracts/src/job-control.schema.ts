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

/**
 * A stream subscriber wants a job's text as it is generated. Broadcast to every worker (transient): the one running
 * the job starts publishing its chunks, beginning with all the text so far. Workers publish no chunks for a job
 * nobody watches; its result carries the text. A watcher announces again when it hears the job start, since a
 * job still queued has no worker to hear it.
 */
export const JobWatchSchema = z.object({
  job_id: z.uuid(),
});
export type JobWatch = z.infer<typeof JobWatchSchema>;

/**
 * A tenant's webhook endpoints changed (created, removed, enabled, disabled). Broadcast to every notification
 * replica (transient), which drops what it cached of the tenant's subscriptions; the cache's short life covers a
 * lost one.
 */
export const WebhookEndpointsChangedSchema = z.object({
  tenant_id: z.string().min(1),
});
export type WebhookEndpointsChanged = z.infer<typeof WebhookEndpointsChangedSchema>;
