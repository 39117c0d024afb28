import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { ProviderKeyCipher, TENANT_SETTINGS_STORE, type TenantSettingsStore } from '@conveyor/database';

/** A tenant's own key for one deployment, opened; or why it could not be (the job must not fall back to the operator's key). */
export type OwnKey = { key: string } | { error: string };

interface Loaded {
  keys: ReadonlyMap<string, OwnKey>;
  /** When the tenant's settings last changed, as read with the keys (null: never). */
  version: string | null;
}

interface Cached {
  loaded: Promise<Loaded>;
  loadedAt: number;
}

/**
 * The provider keys tenants brought (`PUT /v1/settings`), read sealed from PostgreSQL and opened here with
 * SETTINGS_ENCRYPTION_KEY: no key ever travels on the broker. Cached per tenant; the entry is read again when a job
 * carries a newer settings version than it was read at (a job admitted after the change never runs with the keys of
 * before), when a `tenant.settings_changed` broadcast drops it (TenantKeysListener), or after SETTINGS_REFRESH_MS.
 */
@Injectable()
export class TenantProviderKeys {
  private readonly cache = new Map<string, Cached>();
  private readonly cipher: ProviderKeyCipher | null;

  constructor(
    @Inject(TENANT_SETTINGS_STORE) private readonly store: TenantSettingsStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {
    this.cipher = config.tenantSettings.encryptionKey ? new ProviderKeyCipher(config.tenantSettings.encryptionKey) : null;
  }

  /** The tenant's own keys by deployment id (empty when it brought none), as of `version` (the job's settings version) or later. */
  async of(tenantId: string, version?: string): Promise<ReadonlyMap<string, OwnKey>> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.loadedAt < this.config.tenantSettings.refreshMs) {
      const loaded = await hit.loaded;
      if (!version || (loaded.version !== null && loaded.version >= version)) return loaded.keys;
      if (this.cache.get(tenantId) === hit) this.cache.delete(tenantId);
      return this.of(tenantId);
    }
    const entry: Cached = { loaded: this.load(tenantId), loadedAt: Date.now() };
    this.cache.set(tenantId, entry);
    entry.loaded.catch(() => this.cache.get(tenantId) === entry && this.cache.delete(tenantId));
    return (await entry.loaded).keys;
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  private async load(tenantId: string): Promise<Loaded> {
    const { keys, version } = await this.store.sealedKeys(tenantId);
    return { keys: new Map([...keys].map(([deployment, value]) => [deployment, this.open(value, tenantId, deployment)])), version };
  }

  private open(sealed: string, tenantId: string, deployment: string): OwnKey {
    if (!this.cipher) return { error: `the tenant's own key for ${deployment} cannot be opened: SETTINGS_ENCRYPTION_KEY is not set on this worker` };
    try {
      return { key: this.cipher.open(sealed, tenantId, deployment) };
    } catch {
      return { error: `the tenant's own key for ${deployment} cannot be opened with this worker's SETTINGS_ENCRYPTION_KEY` };
    }
  }
}
