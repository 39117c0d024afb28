import type { ModelAccess, ModelCatalog } from '@conveyor/config';

/**
 * The deployments a tenant may bring its own key for: those of the models it may name, and of the models in the
 * groups it may name. A key for any other deployment would never be used, so it is refused.
 */
export function keyableDeployments(catalog: ModelCatalog, access: ModelAccess, tenantId: string): string[] {
  const models = new Set(catalog.models.filter((m) => access.mayUse(tenantId, m.name)).map((m) => m.name));
  for (const group of catalog.groups) if (access.mayUse(tenantId, group.name)) for (const m of group.models) models.add(m);
  return catalog.models.filter((m) => models.has(m.name)).flatMap((m) => m.deployments.map((d) => d.id));
}

/** The deployments a name (a model or a group's models) routes to first, in catalogue order. */
export function deploymentsOf(catalog: ModelCatalog, name: string): string[] {
  const group = catalog.groups.find((g) => g.name === name);
  const names = group ? group.models : [name];
  return catalog.models.filter((m) => names.includes(m.name)).flatMap((m) => m.deployments.map((d) => d.id));
}
