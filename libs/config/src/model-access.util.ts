import type { ModelCatalog } from './model-catalog.schema';

/**
 * Tenant permissions of the model catalogue. A model or group with a `tenants` list may be named only by those
 * tenants; without one, by everyone. A group is granted as a whole: naming it routes through its models and its
 * fallback groups even where those are restricted to others, because the operator who granted the group chose
 * what it routes to. The gateway is the one gate (workers route whatever job they are given).
 */
export class ModelAccess {
  private readonly tenantsByName: ReadonlyMap<string, ReadonlySet<string> | null>;

  constructor(private readonly catalog: ModelCatalog) {
    const entries = [...catalog.models, ...catalog.groups].map((e) => [e.name, e.tenants ? new Set(e.tenants) : null] as const);
    this.tenantsByName = new Map(entries);
  }

  /** Whether `tenantId` may name `model`; false for a name the catalogue does not have, so the two look alike. */
  mayUse(tenantId: string, model: string): boolean {
    const tenants = this.tenantsByName.get(model);
    return tenants !== undefined && (tenants === null || tenants.has(tenantId));
  }

  /** The names `tenantId` may use, models first, then groups, in catalogue order (what `GET /v1/models` lists). */
  namesFor(tenantId: string): string[] {
    return [...this.catalog.models, ...this.catalog.groups].map((e) => e.name).filter((name) => this.mayUse(tenantId, name));
  }
}
