import { z } from 'zod';
import type { KnownWorker } from './worker-directory';

export const WorkerViewSchema = z.object({
  object: z.literal('worker'),
  id: z.string(),
  slots: z.number().int(),
  busy: z.number().int(),
  jobs: z.array(z.object({ job_id: z.string(), tenant: z.string(), started_at: z.string() })),
  started_at: z.string(),
  last_seen_at: z.string(),
});
export type WorkerView = z.infer<typeof WorkerViewSchema>;

const BandQueueSchema = z.object({ messages: z.number().int(), consumers: z.number().int() });

export const WorkerListViewSchema = z.object({
  object: z.literal('list'),
  data: z.array(WorkerViewSchema),
  /** Each band's work queues as the broker sees them: ready messages, and how many consumers take the band. */
  queues: z.object({ high: BandQueueSchema, normal: BandQueueSchema, low: BandQueueSchema }),
});
export type WorkerListView = z.infer<typeof WorkerListViewSchema>;

export function presentWorker({ heartbeat: h, lastSeenAt }: KnownWorker): WorkerView {
  return {
    object: 'worker',
    id: h.worker_id,
    slots: h.slots,
    busy: h.jobs.length,
    jobs: h.jobs.map((j) => ({ job_id: j.job_id, tenant: j.tenant_id, started_at: j.started_at })),
    started_at: h.started_at,
    last_seen_at: lastSeenAt.toISOString(),
  };
}
