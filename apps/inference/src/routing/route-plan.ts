import type { CatalogDeployment, CatalogModel, ModelCatalog } from '@conveyor/config';

/**
 * The deployments to try for a request's `model`, in order, or null when the catalogue has no such name.
 * A model gives its own deployments. A group gives each of its models' deployments in the group's order, then
 * those of its fallback groups (depth first, each group once, each deployment once), so a cycle of fallbacks
 * ends instead of looping.
 */
export function planRoute(catalog: ModelCatalog, name: string, random: () => number = Math.random): CatalogDeployment[] | null {
  const models = new Map(catalog.models.map((m) => [m.name, m]));
  const groups = new Map(catalog.groups.map((g) => [g.name, g]));
  const model = models.get(name);
  if (model) return orderDeployments(model, random);
  if (!groups.has(name)) return null;

  const plan: CatalogDeployment[] = [];
  const seenDeployments = new Set<string>();
  const visited = new Set<string>();
  const visit = (groupName: string) => {
    const group = groups.get(groupName);
    if (!group || visited.has(groupName)) return;
    visited.add(groupName);
    for (const modelName of group.models) {
      for (const deployment of orderDeployments(models.get(modelName)!, random)) {
        if (seenDeployments.has(deployment.id)) continue;
        seenDeployments.add(deployment.id);
        plan.push(deployment);
      }
    }
    for (const fallback of group.fallback_groups ?? []) visit(fallback);
  };
  visit(name);
  return plan;
}

/**
 * A model's deployments in catalogue order, or — when any of them has a `weight` — in a weighted random order
 * (Efraimidis–Spirakis: sort by u^(1/w)), so traffic spreads by weight while every deployment stays a fallback
 * for the others. A deployment without a weight counts as weight 1.
 */
export function orderDeployments(model: CatalogModel, random: () => number = Math.random): CatalogDeployment[] {
  if (!model.deployments.some((d) => d.weight !== undefined)) return [...model.deployments];
  return model.deployments
    .map((deployment) => ({ deployment, key: Math.pow(random(), 1 / (deployment.weight ?? 1)) }))
    .sort((a, b) => b.key - a.key)
    .map((entry) => entry.deployment);
}
