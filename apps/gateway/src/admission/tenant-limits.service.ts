import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig, type TenantLimits } from '@conveyor/config';
import { TENANT_LIMITS_STORE, type StoredTenantLimits, type TenantLimitsStore } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { resolveLimits, TenantLimitsOverrideSchema, type TenantLimitsOverride } from './tenant-limits.schema';

/** A change committed this long after its `updated_at` (a slow commit) is still picked up by the next reload. */
const RELOAD_OVERLAP_MS = 10_000;

/** A tenant's limits as the admin API shows them. */
export interface TenantLimitsView {
  object: 'tenant.limits';
  tenant: string;
  /** What the admin API set for this tenant (`{}`: nothing, the defaults apply). */
  overrides: TenantLimitsOverride;
  /** The limits in force: the configured defaults with the overrides on top (null: no limit). */
  effective: TenantLimits;
  updated_at: string | null;
}

/**
 * Every tenant's limits, in memory on each replica so that a submit never waits for them: the configured defaults
 * (TenantLimits from the environment) and the admin API's overrides (`tenant_limits`), reloaded every
 * ADMISSION_REFRESH_MS (only what changed). A PUT takes effect at once on the replica that served it and within
 * ADMISSION_REFRESH_MS on the others.
 */
@Injectable()
export class TenantLimitsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TenantLimitsService.name);
  private readonly effective = new Map<string, TenantLimits>();
  private lastChange: Date | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(TENANT_LIMITS_STORE) private readonly store: TenantLimitsStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((err: Error) => this.logger.warn(`tenant limits not reloaded: ${err.message}`));
    }, this.config.admission.refreshMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The limits in force for a tenant (no I/O). */
  limitsOf(tenantId: string): TenantLimits {
    return this.effective.get(tenantId) ?? this.config.admission.defaults;
  }

  async describe(tenantId: string): Promise<TenantLimitsView> {
    const stored = await this.store.find(tenantId);
    if (!stored && !(await this.store.tenantExists(tenantId))) throw tenantNotFound(tenantId);
    return this.viewOf(tenantId, stored);
  }

  async replace(tenantId: string, overrides: TenantLimitsOverride): Promise<TenantLimitsView> {
    const stored = await this.store.put(tenantId, overrides);
    if (!stored) throw tenantNotFound(tenantId);
    this.apply(stored);
    return this.viewOf(tenantId, stored);
  }

  private async reload(): Promise<void> {
    const since = this.lastChange && new Date(this.lastChange.getTime() - RELOAD_OVERLAP_MS);
    for (const stored of await this.store.changedSince(since)) this.apply(stored);
  }

  private apply(stored: StoredTenantLimits): void {
    const overrides = this.overridesOf(stored);
    this.effective.set(stored.tenantId, resolveLimits(this.config.admission.defaults, overrides));
    if (!this.lastChange || stored.updatedAt > this.lastChange) this.lastChange = stored.updatedAt;
  }

  private overridesOf(stored: StoredTenantLimits | null): TenantLimitsOverride {
    if (!stored) return {};
    const parsed = TenantLimitsOverrideSchema.safeParse(stored.limits);
    if (parsed.success) return parsed.data;
    // Written by a newer gateway, or by hand: the defaults are safer than a half-understood document.
    this.logger.warn(`tenant ${stored.tenantId}: stored limits are not valid here, the defaults apply`);
    return {};
  }

  private viewOf(tenantId: string, stored: StoredTenantLimits | null): TenantLimitsView {
    const overrides = this.overridesOf(stored);
    return {
      object: 'tenant.limits',
      tenant: tenantId,
      overrides,
      effective: resolveLimits(this.config.admission.defaults, overrides),
      updated_at: stored?.updatedAt.toISOString() ?? null,
    };
  }
}

function tenantNotFound(tenantId: string): ConveyorException {
  return new ConveyorException(ErrorCode.TenantNotFound, `No tenant '${tenantId.slice(0, 64)}'.`, 'tenant');
}
