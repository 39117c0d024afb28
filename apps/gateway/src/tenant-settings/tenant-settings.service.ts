import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONVEYOR_CONFIG, ModelAccess, type ConveyorConfig } from '@conveyor/config';
import type { BandSettings, PriorityBand } from '@conveyor/contracts';
import { ProviderKeyCipher, TENANT_SETTINGS_STORE, type StoredProviderKey, type StoredTenantSettings, type TenantSettingsStore } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { MessagePublisher } from '@conveyor/messaging';
import { effectiveBands } from './band-settings.util';
import { deploymentsOf, keyableDeployments } from './provider-key-targets.util';

/** A tenant's settings in force: every band's cap and latency target, and which deployments it holds a key for. */
export interface TenantSettings {
  bands: Record<PriorityBand, BandSettings>;
  providerKeys: StoredProviderKey[];
  /** The deployment a key given without one is for (the default model's only deployment), or null. */
  defaultDeployment: string | null;
  updatedAt: Date | null;
  /** The settings version jobs carry to the workers (see NewJob.settingsVersion). */
  version: string | null;
}

/** A partial update: the band fields named, and one deployment's key set (a string) or removed (null). */
export interface TenantSettingsUpdate {
  bands?: Partial<Record<PriorityBand, Partial<BandSettings>>>;
  providerKey?: { deployment?: string; apiKey: string | null };
}

interface Cached {
  settings: Promise<TenantSettings>;
  loadedAt: number;
}

/**
 * Tenants' own settings, cached per tenant on each replica so a submit rarely reads them. A change is written to
 * PostgreSQL, then broadcast (`tenant.settings_changed`, carrying no setting): every replica, this one included,
 * drops the tenant's entry and reads it again on next use. An entry older than SETTINGS_REFRESH_MS is read again
 * too, which bounds how long a replica that missed a broadcast (the broker was down) keeps an old value.
 * Provider keys are sealed here before they are stored and never opened here: only the workers open them.
 */
@Injectable()
export class TenantSettingsService {
  private readonly logger = new Logger(TenantSettingsService.name);
  private readonly cache = new Map<string, Cached>();
  private readonly cipher: ProviderKeyCipher | null;
  private readonly access: ModelAccess;
  private readonly defaultDeployment: string | null;

  constructor(
    @Inject(TENANT_SETTINGS_STORE) private readonly store: TenantSettingsStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly publisher: MessagePublisher,
  ) {
    this.cipher = config.tenantSettings.encryptionKey ? new ProviderKeyCipher(config.tenantSettings.encryptionKey) : null;
    this.access = new ModelAccess(config.models);
    const defaults = deploymentsOf(config.models, config.defaultModel);
    this.defaultDeployment = defaults.length === 1 ? defaults[0]! : null;
  }

  /** The tenant's settings in force (cached). */
  of(tenantId: string): Promise<TenantSettings> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.loadedAt < this.config.tenantSettings.refreshMs) return hit.settings;
    const entry: Cached = { settings: this.store.find(tenantId).then((s) => this.settingsOf(s)), loadedAt: Date.now() };
    this.cache.set(tenantId, entry);
    entry.settings.catch(() => this.cache.get(tenantId) === entry && this.cache.delete(tenantId));
    return entry.settings;
  }

  /** Drops what this replica holds for the tenant (a change was broadcast). */
  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  async update(tenantId: string, update: TenantSettingsUpdate): Promise<TenantSettings> {
    const providerKey = update.providerKey && this.sealed(tenantId, update.providerKey.deployment, update.providerKey.apiKey);
    const stored = await this.store.apply(tenantId, { bands: update.bands as Record<string, Record<string, number>> | undefined, providerKey });
    this.invalidate(tenantId);
    // Transient: a replica that misses it reads the change within SETTINGS_REFRESH_MS. The change is stored either way.
    await this.publisher
      .publish('tenant.settings_changed', { tenant_id: tenantId, changed_at: new Date().toISOString() })
      .catch((err: Error) => this.logger.warn(`tenant ${tenantId}: settings changed, but the change was not broadcast: ${err.message}`));
    return this.settingsOf(stored);
  }

  private sealed(tenantId: string, named: string | undefined, apiKey: string | null) {
    const keyable = keyableDeployments(this.config.models, this.access, tenantId);
    const deployment = named ?? this.defaultDeployment;
    if (!deployment) {
      throw new ConveyorException(
        ErrorCode.InvalidRequest,
        `Name the deployment the key is for ('deployment'); the default model has several. Yours: ${keyable.join(', ')}.`,
        'deployment',
      );
    }
    if (!keyable.includes(deployment)) {
      throw new ConveyorException(
        ErrorCode.InvalidRequest,
        `No deployment '${deployment.slice(0, 128)}' that you may use. Yours: ${keyable.join(', ')}.`,
        'deployment',
      );
    }
    if (apiKey === null) return { deployment, sealed: null };
    if (!this.cipher) {
      throw new ConveyorException(
        ErrorCode.InvalidRequest,
        'This server cannot store provider keys: its operator has not set SETTINGS_ENCRYPTION_KEY.',
        'api_key',
      );
    }
    return { deployment, sealed: this.cipher.seal(apiKey, tenantId, deployment), last4: apiKey.slice(-4) };
  }

  private settingsOf(stored: StoredTenantSettings): TenantSettings {
    return {
      bands: effectiveBands(stored.bands, this.config.limits.maxTokensCap),
      providerKeys: stored.providerKeys,
      defaultDeployment: this.defaultDeployment,
      updatedAt: stored.updatedAt,
      version: stored.version,
    };
  }
}
