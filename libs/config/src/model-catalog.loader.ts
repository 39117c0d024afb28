import { readFileSync } from 'node:fs';
import { BUILTIN_CATALOG, EMBEDDING_PROVIDERS, ModelCatalogSchema, type ModelCatalog } from './model-catalog.schema';

export type CatalogLoadResult = { ok: true; catalog: ModelCatalog } | { ok: false; problems: string[] };

/**
 * Reads and validates the model catalogue (JSON) named by `MODEL_CATALOG_FILE`, or answers the built-in one.
 * Both the gateway (which names models) and the workers (which route them) load it through here, so the two
 * can never disagree on what a valid catalogue is. Every problem is reported, not just the first.
 */
export function loadModelCatalog(file: string | undefined): CatalogLoadResult {
  if (!file) return { ok: true, catalog: BUILTIN_CATALOG };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { ok: false, problems: [`cannot read ${file}: ${(err as Error).message}`] };
  }
  return parseModelCatalog(raw);
}

/** Validates a parsed catalogue: its shape first, then the references between models, groups and deployments. */
export function parseModelCatalog(raw: unknown): CatalogLoadResult {
  const parsed = ModelCatalogSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`) };
  }
  const problems = crossReferenceProblems(parsed.data);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, catalog: parsed.data };
}

function crossReferenceProblems(catalog: ModelCatalog): string[] {
  const problems: string[] = [];
  const modelNames = new Set<string>();
  const deploymentIds = new Set<string>();
  catalog.models.forEach((model, m) => {
    if (modelNames.has(model.name)) problems.push(`models[${m}].name: "${model.name}" is listed twice`);
    modelNames.add(model.name);
    model.deployments.forEach((d, i) => {
      const at = `models[${m}].deployments[${i}]`;
      // Deployment ids key the cooldown state and the attempts log, so they must be unique catalogue-wide.
      if (deploymentIds.has(d.id)) problems.push(`${at}.id: "${d.id}" is used by another deployment`);
      deploymentIds.add(d.id);
      if (d.api_key_env && d.api_key_file) problems.push(`${at}: set api_key_env or api_key_file, not both`);
      const keyless = !d.api_key_env && !d.api_key_file;
      if (keyless && (d.provider === 'anthropic' || d.provider === 'gemini')) {
        problems.push(`${at} ("${d.id}"): a ${d.provider} deployment needs api_key_env or api_key_file`);
      }
      if (model.kind === 'embedding' && !EMBEDDING_PROVIDERS.has(d.provider)) {
        problems.push(`${at} ("${d.id}"): ${d.provider} has no embeddings API; an embedding model's deployments are ${[...EMBEDDING_PROVIDERS].join(', ')}`);
      }
      if (keyless && d.provider === 'openai' && !d.base_url) {
        problems.push(`${at} ("${d.id}"): an openai deployment without base_url talks to OpenAI itself and needs api_key_env or api_key_file`);
      }
    });
  });
  const groupNames = new Set(catalog.groups.map((g) => g.name));
  const kindOfModel = new Map(catalog.models.map((m) => [m.name, m.kind ?? 'chat']));
  const kindOfGroup = (name: string) => kindOfModel.get(catalog.groups.find((g) => g.name === name)?.models[0] ?? '');
  const seenGroups = new Set<string>();
  catalog.groups.forEach((group, g) => {
    if (seenGroups.has(group.name)) problems.push(`groups[${g}].name: "${group.name}" is listed twice`);
    if (modelNames.has(group.name)) problems.push(`groups[${g}].name: "${group.name}" is also a model's name`);
    seenGroups.add(group.name);
    const kind = kindOfModel.get(group.models[0]!);
    group.models.forEach((name, i) => {
      if (!modelNames.has(name)) problems.push(`groups[${g}].models[${i}]: no model is named "${name}"`);
      // A group answers one kind of request: every model it routes to must take it.
      else if (kind && kindOfModel.get(name) !== kind)
        problems.push(`groups[${g}].models[${i}]: "${name}" is a ${kindOfModel.get(name)} model, the group's first is ${kind}`);
    });
    (group.fallback_groups ?? []).forEach((name, i) => {
      if (name === group.name) problems.push(`groups[${g}].fallback_groups[${i}]: a group cannot fall back to itself`);
      else if (!groupNames.has(name)) problems.push(`groups[${g}].fallback_groups[${i}]: no group is named "${name}"`);
      else if (kind && kindOfGroup(name) !== kind)
        problems.push(`groups[${g}].fallback_groups[${i}]: "${name}" is a group of ${kindOfGroup(name)} models, this one of ${kind}`);
    });
  });
  return problems;
}

/** `models[0].deployments[1].provider` from zod's path. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), '');
}
