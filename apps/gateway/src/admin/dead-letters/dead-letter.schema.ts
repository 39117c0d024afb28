import { z } from 'zod';
import { isUuid } from '@conveyor/contracts';
import type { DeadLetterRecord } from '@conveyor/database';
import { limitParam, listOf } from '../admin-list.schema';

const STATES = ['dead', 'replayed', 'discarded'] as const;

/** `GET /v1/admin/dead-letters`: newest first, `after` the last id of the previous page. */
export const DeadLetterListQuerySchema = z.object({
  state: z.enum(STATES, { error: `must be one of: ${STATES.join(', ')}` }).optional(),
  limit: limitParam(20),
  after: z.string().refine(isUuid, 'must be a dead letter id').optional(),
});
export type DeadLetterListQuery = z.infer<typeof DeadLetterListQuerySchema>;

export const DeadLetterViewSchema = z.object({
  object: z.literal('dead_letter'),
  id: z.string(),
  job_id: z.string(),
  tenant: z.string(),
  type: z.string(),
  priority: z.string(),
  /** The queue the message died in. */
  queue: z.string().nullable(),
  /** Why: the broker's (`delivery_limit`, `rejected`, `expired`) or a handler's own words. */
  reason: z.string(),
  /** The message's headers as it died (the broker's `x-death` included), as JSON. */
  headers: z.record(z.string(), z.unknown()),
  state: z.enum(STATES),
  dead_at: z.string(),
  settled_at: z.string().nullable(),
  /** The job's status now; null if it has no row (a message no gateway accepted). */
  job_status: z.string().nullable(),
});
export type DeadLetterView = z.infer<typeof DeadLetterViewSchema>;
export const DeadLetterListViewSchema = listOf(DeadLetterViewSchema);

/** One dead letter with the message it held (`job.requested`: model, messages, params…). */
export const DeadLetterDetailViewSchema = DeadLetterViewSchema.extend({ message: z.unknown() });
export type DeadLetterDetailView = z.infer<typeof DeadLetterDetailViewSchema>;

export function presentDeadLetter(d: DeadLetterRecord): DeadLetterView {
  return {
    object: 'dead_letter',
    id: d.id,
    job_id: d.jobId,
    tenant: d.tenantId,
    type: d.type,
    priority: d.priority,
    queue: d.sourceQueue,
    reason: d.reason,
    headers: d.headers,
    state: d.state,
    dead_at: d.deadAt.toISOString(),
    settled_at: d.settledAt?.toISOString() ?? null,
    job_status: d.jobStatus,
  };
}
