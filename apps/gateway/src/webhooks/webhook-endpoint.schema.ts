import { z } from 'zod';
import { rejectUnstorableText } from '@conveyor/contracts';
import { WEBHOOK_EVENT_TYPES } from '@conveyor/webhooks';

/** The body of `POST /v1/webhooks`. The URL itself is checked by the DestinationValidator. */
export const WebhookEndpointSchema = z
  .object({
    url: z.string({ error: 'must be a URL' }).min(1).max(2048),
    event_types: z
      .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `must be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}` }))
      .min(1, 'must name at least one event type')
      .default([...WEBHOOK_EVENT_TYPES]),
    description: z.string().max(256).default(''),
  })
  .superRefine(rejectUnstorableText);

export type WebhookEndpointRequest = z.infer<typeof WebhookEndpointSchema>;

/** Query string of `GET /v1/webhooks/{id}/deliveries`. */
export const DeliveryListQuerySchema = z.object({
  limit: z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be at least 1').max(100, 'must be at most 100').default(20),
});
export type DeliveryListQuery = z.infer<typeof DeliveryListQuerySchema>;
