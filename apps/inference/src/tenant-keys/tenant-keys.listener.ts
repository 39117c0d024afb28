import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MessageTypes, type TenantSettingsChanged } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, listenerOf, type BrokerClient, type Subscription } from '@conveyor/messaging';
import { TenantProviderKeys } from './tenant-provider-keys.service';

/** Hears tenants' settings changes, so the next job of a tenant that changed its keys reads them again. */
@Injectable()
export class TenantKeysListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TenantKeysListener.name);
  private subscription?: Subscription;

  constructor(
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    private readonly keys: TenantProviderKeys,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const onChanged = ({ tenant_id: tenantId }: TenantSettingsChanged) => this.keys.invalidate(tenantId);
    const listener = listenerOf({ 'tenant.settings_changed': onChanged }, this.logger, this.broker.kind);
    this.subscription = await this.broker.listen(Exchanges.events, MessageTypes.TenantSettingsChanged, listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.cancel().catch(() => undefined);
  }
}
