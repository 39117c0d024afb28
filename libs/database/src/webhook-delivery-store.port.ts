/** One attempt of a delivery, as the delivery history shows it. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The receiver's HTTP status, or null when no response came (timeout, refused, blocked destination). */
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'dead';

/** A delivery to create: to an endpoint, or to a job's own callback URL (which then travels with it). */
export interface NewWebhookDelivery {
  id: string;
  tenantId: string;
  endpointId: string | null;
  callbackUrl: string | null;
  /** The job's sealed callback secret, for a callback delivery. */
  callbackSecret: string | null;
  jobId: string;
  eventType: string;
  /** The `webhook-id` header and the payload's `id`, stable across retries. */
  webhookId: string;
  /** The exact JSON body every attempt sends. */
  payload: string;
}

export interface WebhookDeliveryRecord extends NewWebhookDelivery {
  status: DeliveryStatus;
  attempts: number;
  /** Attempts made before the last replay: the retry schedule counts from here. */
  scheduleBase: number;
  attemptLog: DeliveryAttempt[];
  nextAttemptAt: Date | null;
  deadReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What claiming a delivery found: it is this consumer's to attempt now, or why not. */
export type DeliveryClaim =
  { kind: 'claimed'; delivery: WebhookDeliveryRecord; lockToken: string } | { kind: 'finished' } | { kind: 'not-due'; waitMs: number } | { kind: 'missing' };

/** Where a delivery stands after an attempt. */
export type DeliveryOutcome = { status: 'succeeded' } | { status: 'pending'; retryInMs: number } | { status: 'dead'; reason: string };

/**
 * Webhook deliveries and their attempt history. A delivery is unique per (target, job, event): creating it
 * again is a no-op. At most one consumer holds a delivery at a time (`claim`, a lease that expires, so a
 * consumer killed mid-attempt delays the delivery rather than losing it).
 */
export interface WebhookDeliveryStore {
  /** Creates the deliveries that do not exist yet. */
  createMany(deliveries: NewWebhookDelivery[]): Promise<void>;
  /** A job event's deliveries whose message has not been published yet. */
  undispatched(jobId: string, eventType: string): Promise<WebhookDeliveryRecord[]>;
  markDispatched(id: string): Promise<void>;
  /** Takes the lease on a pending, due, unleased delivery for `leaseMs`. */
  claim(id: string, leaseMs: number): Promise<DeliveryClaim>;
  /** Records an attempt (if one was made) and the outcome, and releases the lease; false if the lease was lost. */
  finish(id: string, lockToken: string, attempt: DeliveryAttempt | null, outcome: DeliveryOutcome): Promise<boolean>;
  /** An endpoint's deliveries, newest first. */
  listForEndpoint(tenantId: string, endpointId: string, limit: number): Promise<WebhookDeliveryRecord[]>;
  /** Makes a delivery pending and due now, with a fresh retry schedule; null if it is not the tenant's endpoint's. */
  replay(tenantId: string, endpointId: string, deliveryId: string): Promise<WebhookDeliveryRecord | null>;
}

export const WEBHOOK_DELIVERY_STORE = Symbol('WEBHOOK_DELIVERY_STORE');
