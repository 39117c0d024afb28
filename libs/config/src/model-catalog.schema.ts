import { z } from 'zod';

export const PROVIDER_KINDS = ['simulated', 'openai', 'anthropic', 'gemini'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** What a model answers: chat completions, or embeddings (`POST /v1/embeddings`). */
export const MODEL_KINDS = ['chat', 'embedding'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
/** The providers with an embeddings API (Anthropic has none). */
export const EMBEDDING_PROVIDERS: ReadonlySet<ProviderKind> = new Set<ProviderKind>(['simulated', 'openai', 'gemini']);

/** Public names: what a request's `model` says and `GET /v1/models` lists. */
const PublicName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/, 'must be 1–128 letters, digits or . _ : / -');
const positiveInt = z.number().int('must be an integer').positive('must be at least 1');
/** USD per million tokens, for cost budgets (see docs/admission.md). */
const Price = z.number().min(0, 'must be 0 or more').max(1_000_000, 'must be at most 1000000').optional();
/** Who may name a model or group; absent means every tenant (see model-access.util.ts). */
const Tenants = z.array(z.string().min(1, 'must not be empty')).min(1, 'list at least one tenant, or leave `tenants` out to allow everyone');

/**
 * One upstream endpoint serving a model. The key is never in the file: `api_key_env` names the environment
 * variable holding it and `api_key_file` a file (a mounted secret), so the catalogue can be committed.
 */
export const CatalogDeploymentSchema = z.strictObject({
  id: PublicName,
  provider: z.enum(PROVIDER_KINDS, { error: `must be one of: ${PROVIDER_KINDS.join(', ')}` }),
  upstream_model: z.string().min(1, 'must not be empty'),
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  api_key_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .optional(),
  api_key_file: z.string().min(1, 'must not be empty').optional(),
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
  max_context: positiveInt.optional(),
  weight: z.number().positive('must be greater than 0').optional(),
});

export const CatalogModelSchema = z.strictObject({
  name: PublicName,
  deployments: z.array(CatalogDeploymentSchema).min(1, 'a model needs at least one deployment'),
  /** `chat` when absent. */
  kind: z.enum(MODEL_KINDS, { error: `must be one of: ${MODEL_KINDS.join(', ')}` }).optional(),
  tenants: Tenants.optional(),
  input_price_per_mtok: Price,
  output_price_per_mtok: Price,
});

/** An ordered list of models tried in turn, then its fallback groups (seed 003's "quality" and "fast"). */
export const CatalogGroupSchema = z.strictObject({
  name: PublicName,
  models: z.array(PublicName).min(1, 'a group needs at least one model'),
  fallback_groups: z.array(PublicName).optional(),
  tenants: Tenants.optional(),
  input_price_per_mtok: Price,
  output_price_per_mtok: Price,
});

export const ModelCatalogSchema = z.strictObject({
  models: z.array(CatalogModelSchema).min(1, 'the catalogue needs at least one model'),
  groups: z.array(CatalogGroupSchema).default([]),
});

export type CatalogDeployment = z.infer<typeof CatalogDeploymentSchema>;
export type CatalogModel = z.infer<typeof CatalogModelSchema>;
export type CatalogGroup = z.infer<typeof CatalogGroupSchema>;
export type ModelCatalog = z.infer<typeof ModelCatalogSchema>;

const simulated = (name: string) => ({ name, deployments: [{ id: name, provider: 'simulated' as const, upstream_model: 'simulated' }] });

/** The built-in catalogue's embedding model: deterministic simulated vectors. */
export const SIMULATED_EMBEDDING_MODEL = 'simulated-embedding';

/**
 * Without `MODEL_CATALOG_FILE`: the labelled simulated model, so the system runs with no key, and seed 003's
 * `quality` and `fast` groups over simulated deployments of their own (`quality` falls back to `fast`, as the
 * seed's router does), so its clients run unchanged, and `simulated-embedding` for `POST /v1/embeddings`. Every
 * deployment here is the simulated provider.
 */
export const BUILTIN_CATALOG: ModelCatalog = {
  models: [simulated('simulated'), simulated('simulated-quality'), simulated('simulated-fast'), { ...simulated(SIMULATED_EMBEDDING_MODEL), kind: 'embedding' }],
  groups: [
    { name: 'quality', models: ['simulated-quality'], fallback_groups: ['fast'] },
    { name: 'fast', models: ['simulated-fast'] },
  ],
};

/** Every name a request may use: models first, then groups, in catalogue order. */
export function catalogNames(catalog: ModelCatalog): string[] {
  return [...catalog.models.map((m) => m.name), ...catalog.groups.map((g) => g.name)];
}

/** Whether a model or group answers chat completions or embeddings (a group, its models'); undefined for an unknown name. */
export function modelKindOf(catalog: ModelCatalog, name: string): ModelKind | undefined {
  const model = catalog.models.find((m) => m.name === name);
  if (model) return model.kind ?? 'chat';
  const group = catalog.groups.find((g) => g.name === name);
  return group ? modelKindOf(catalog, group.models[0]!) : undefined;
}

/** The first embedding model of the catalogue: what an embeddings request naming no model uses. */
export function defaultEmbeddingModel(catalog: ModelCatalog): string | undefined {
  return catalog.models.find((m) => m.kind === 'embedding')?.name;
}
