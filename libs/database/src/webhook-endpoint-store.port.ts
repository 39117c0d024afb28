/** A new webhook endpoint; `sealedSecret` is the signing secret as SecretBox sealed it. */
export interface NewWebhookEndpoint {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  eventTypes: string[];
  sealedSecret: string;
}

export interface WebhookEndpointRecord extends NewWebhookEndpoint {
  enabled: boolean;
  /** Why delivery stopped (`gone`: the receiver answered 410). */
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Tenants' webhook endpoints. Every tenant-facing method is scoped by tenant: another tenant's endpoint is absent. */
export interface WebhookEndpointStore {
  /** Registers the endpoint unless the tenant already has `maxPerTenant`; null then. */
  create(endpoint: NewWebhookEndpoint, maxPerTenant: number): Promise<WebhookEndpointRecord | null>;
  /** The tenant's endpoints, newest first. */
  listForTenant(tenantId: string): Promise<WebhookEndpointRecord[]>;
  findForTenant(tenantId: string, id: string): Promise<WebhookEndpointRecord | null>;
  /** Deletes the endpoint and its deliveries; false if it is not the tenant's. */
  remove(tenantId: string, id: string): Promise<boolean>;
  /** Replaces the signing secret; null if the endpoint is not the tenant's. */
  replaceSecret(tenantId: string, id: string, sealedSecret: string): Promise<WebhookEndpointRecord | null>;
  /** The tenant's enabled endpoints subscribed to an event type (the fanout). */
  subscribed(tenantId: string, eventType: string): Promise<WebhookEndpointRecord[]>;
  /** Whether `subscribed` would answer anything: one narrow read, for the common case of no endpoint at all. */
  hasSubscribed(tenantId: string, eventType: string): Promise<boolean>;
  /** Any tenant's endpoint, for the sender, which already holds a delivery of that tenant. */
  find(id: string): Promise<WebhookEndpointRecord | null>;
  /** Stops all delivery to the endpoint (a 410 from the receiver). */
  disable(id: string, reason: string): Promise<void>;
  /** Lets a disabled endpoint receive again (its tenant asked); null if the endpoint is not the tenant's. */
  enable(tenantId: string, id: string): Promise<WebhookEndpointRecord | null>;
}

export const WEBHOOK_ENDPOINT_STORE = Symbol('WEBHOOK_ENDPOINT_STORE');
