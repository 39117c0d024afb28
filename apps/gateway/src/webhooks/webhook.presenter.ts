import type { DeliveryAttempt, WebhookDeliveryRecord, WebhookEndpointRecord } from '@conveyor/database';

/** An endpoint as the API shows it. `secret` appears only in the answers to create and rotate-secret. */
export interface WebhookEndpointView {
  object: 'webhook_endpoint';
  id: string;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
  secret?: string;
}

/** One delivery (endpoint × job event) with every attempt made so far. */
export interface WebhookDeliveryView {
  object: 'webhook_delivery';
  id: string;
  webhook_id: string;
  endpoint_id: string | null;
  job_id: string;
  event_type: string;
  status: string;
  attempt_count: number;
  attempts: DeliveryAttempt[];
  next_attempt_at: string | null;
  dead_reason: string | null;
  created_at: string;
  updated_at: string;
}

export function presentEndpoint(endpoint: WebhookEndpointRecord, shownSecret?: string): WebhookEndpointView {
  return {
    object: 'webhook_endpoint',
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    event_types: endpoint.eventTypes,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabledReason,
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
    ...(shownSecret ? { secret: shownSecret } : {}),
  };
}

export function presentDelivery(delivery: WebhookDeliveryRecord): WebhookDeliveryView {
  return {
    object: 'webhook_delivery',
    id: delivery.id,
    webhook_id: delivery.webhookId,
    endpoint_id: delivery.endpointId,
    job_id: delivery.jobId,
    event_type: delivery.eventType,
    status: delivery.status,
    attempt_count: delivery.attempts,
    attempts: delivery.attemptLog,
    // A pending delivery's next try; none once it succeeded or died.
    next_attempt_at: delivery.status === 'pending' && delivery.nextAttemptAt ? delivery.nextAttemptAt.toISOString() : null,
    dead_reason: delivery.deadReason,
    created_at: delivery.createdAt.toISOString(),
    updated_at: delivery.updatedAt.toISOString(),
  };
}
