import type { JobView } from '@conveyor/contracts';

/** The job events a webhook endpoint may subscribe to (every one, by default). */
export const WEBHOOK_EVENT_TYPES = ['job.completed', 'job.failed', 'job.cancelled', 'job.expired'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The JSON body of every webhook: the event's id (also the `webhook-id` header), its type, and the job. */
export interface WebhookEventPayload {
  id: string;
  type: WebhookEventType;
  created_at: string;
  data: JobView;
}
