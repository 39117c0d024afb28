import { z } from 'zod';

/**
 * One webhook delivery to attempt: one (endpoint or job callback, job event) pair, whose row in
 * `webhook_deliveries` holds the target, the signed body and the attempt history. The notification service
 * publishes one message per delivery to `conveyor.webhooks`, so the fanout of one event to N endpoints
 * retries each endpoint on its own, and a slow or failing endpoint never holds up another.
 */
export const WebhookDeliverySchema = z.object({
  delivery_id: z.uuid(),
  job_id: z.uuid(),
  tenant_id: z.string().min(1),
});
export type WebhookDelivery = z.infer<typeof WebhookDeliverySchema>;
