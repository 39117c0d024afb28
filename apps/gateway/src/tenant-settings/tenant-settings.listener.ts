import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { MessageTypes, type TenantSettingsChanged } from '@conveyor/contracts';
import { BROKER_CLIENT, Exchanges, listenerOf, type BrokerClient, type Subscription } from '@conveyor/messaging';
import { TenantSettingsService } from './tenant-settings.service';

/** Hears every replica's settings changes, so this one reads a changed tenant's settings again without a restart. */
@Injectable()
export class TenantSettingsListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TenantSettingsListener.name);
  private subscription?: Subscription;

  constructor(
    @Inject(BROKER_CLIENT) private readonly broker: BrokerClient,
    private readonly settings: TenantSettingsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const onChanged = ({ tenant_id: tenantId }: TenantSettingsChanged) => this.settings.invalidate(tenantId);
    const listener = listenerOf({ 'tenant.settings_changed': onChanged }, this.logger, this.broker.kind);
    this.subscription = await this.broker.listen(Exchanges.events, MessageTypes.TenantSettingsChanged, listener);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.cancel().catch(() => undefined);
  }
}
