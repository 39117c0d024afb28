import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { TENANT_KEY_STORE, type TenantKeyStore } from '@conveyor/database';

/**
 * Upserts the configured keys (API_KEYS, API_KEYS_FILE; hashed) and their tenants at start-up, so every replica
 * authenticates the same keys. Only labels are logged: a key prefix and a hash prefix, never the key.
 */
@Injectable()
export class ApiKeyBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeyBootstrap.name);

  constructor(
    @Inject(TENANT_KEY_STORE) private readonly store: TenantKeyStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { keys } = this.config.auth;
    await this.store.bootstrap(keys);
    this.logger.log(`bootstrapped ${keys.length} API key(s): ${keys.map((k) => `${k.label} → ${k.tenantId}`).join(', ') || 'none'}`);
  }
}
