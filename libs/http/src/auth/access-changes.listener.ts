import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { allOfType } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, listenerOf, type BrokerClient, type Subscription } from '@conveyor/messaging';
import { ApiKeyAuthenticator } from './api-key.authenticator';

/**
 * Hears the admin API's `access.changed` broadcasts (a key revoked, a tenant disabled or enabled) on every replica
 * that authenticates, and drops what the authenticator cached of that key or tenant, so the change holds here
 * within the broadcast's travel time instead of AUTH_CACHE_TTL_MS.
 */
@Injectable()
export class AccessChangesListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AccessChangesListener.name);
  private subscription: Subscription | null = null;

  constructor(
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    private readonly keys: ApiKeyAuthenticator,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listener = listenerOf(
      { 'access.changed': (change) => this.keys.forget({ keyId: change.key_id, tenantId: change.tenant_id }) },
      this.logger,
      this.broker.kind,
    );
    this.subscription = await this.broker.listen(Exchanges.events, allOfType('access.changed'), listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.cancel().catch(() => undefined);
  }
}
