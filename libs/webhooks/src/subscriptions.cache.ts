import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { allOfType, type TerminalEvent } from '@conveyor/contracts';
import { WEBHOOK_ENDPOINT_STORE, type WebhookEndpointStore } from '@conveyor/database';
import { BROKER_CLIENT, Exchanges, listenerOf, type BrokerClient, type Subscription } from '@conveyor/messaging';

/** How long an answer is kept: the bound on a change whose broadcast was lost. */
export const SUBSCRIPTIONS_TTL_MS = 5_000;
const MAX_TENANTS = 10_000;

/**
 * Whether a tenant has an enabled endpoint subscribed to an event type, remembered per tenant for a few seconds, so
 * a job of a tenant without webhooks costs the fan-out no read. Every change to a tenant's endpoints is broadcast
 * (`webhook.endpoints_changed`) and drops the tenant's answers at once; the short life covers a lost broadcast.
 */
@Injectable()
export class SubscriptionsCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SubscriptionsCache.name);
  private readonly tenants = new Map<string, Map<TerminalEvent['type'], { subscribed: boolean; until: number }>>();
  private subscription?: Subscription;
  /** Counts changes heard, so an answer read across one is not kept. */
  private epoch = 0;

  constructor(
    @Inject(WEBHOOK_ENDPOINT_STORE) private readonly endpoints: WebhookEndpointStore,
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listener = listenerOf({ 'webhook.endpoints_changed': ({ tenant_id }) => this.forget(tenant_id) }, this.logger, this.broker.kind);
    this.subscription = await this.broker.listen(Exchanges.events, allOfType('webhook.endpoints_changed'), listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.cancel().catch(() => undefined);
  }

  async hasSubscribed(tenantId: string, type: TerminalEvent['type']): Promise<boolean> {
    const now = Date.now();
    const cached = this.tenants.get(tenantId)?.get(type);
    if (cached && cached.until > now) return cached.subscribed;
    // An answer read while a change was broadcast may predate the change: it is used once, not kept.
    const epoch = this.epoch;
    const subscribed = await this.endpoints.hasSubscribed(tenantId, type);
    if (epoch === this.epoch) {
      let answers = this.tenants.get(tenantId);
      if (!answers) {
        if (this.tenants.size >= MAX_TENANTS) this.tenants.clear();
        this.tenants.set(tenantId, (answers = new Map()));
      }
      answers.set(type, { subscribed, until: now + SUBSCRIPTIONS_TTL_MS });
    }
    return subscribed;
  }

  /** Drops what is known of the tenant's subscriptions (its endpoints changed). */
  forget(tenantId: string): void {
    this.epoch += 1;
    this.tenants.delete(tenantId);
  }
}
