import { z } from 'zod';
import type { ApiKeyRecord } from '@conveyor/database';

/** `POST /v1/admin/tenants/{tenant}/keys`. */
export const CreateApiKeySchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
});
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;

/** `GET /v1/admin/tenants/{tenant}/keys`. */
export const ApiKeyListQuerySchema = z.object({
  status: z.enum(['active', 'revoked'], { error: 'must be active or revoked' }).optional(),
});
export type ApiKeyListQuery = z.infer<typeof ApiKeyListQuerySchema>;

export const ApiKeyViewSchema = z.object({
  object: z.literal('api_key'),
  id: z.string(),
  tenant: z.string(),
  name: z.string().nullable(),
  /** The key's first characters and its hash's: enough to recognise it, never enough to use it. */
  prefix: z.string(),
  source: z.enum(['config', 'api']),
  status: z.enum(['active', 'revoked']),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

/** The create answer: the key itself, shown this once. */
export const CreatedApiKeyViewSchema = ApiKeyViewSchema.extend({ key: z.string() });
export type CreatedApiKeyView = z.infer<typeof CreatedApiKeyViewSchema>;

export const ApiKeyListViewSchema = z.object({
  object: z.literal('list'),
  data: z.array(ApiKeyViewSchema),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});
export type ApiKeyListView = z.infer<typeof ApiKeyListViewSchema>;

export function presentApiKey(k: ApiKeyRecord): ApiKeyView {
  return {
    object: 'api_key',
    id: k.id,
    tenant: k.tenantId,
    name: k.name,
    prefix: k.label,
    source: k.source,
    status: k.revokedAt ? 'revoked' : 'active',
    created_at: k.createdAt.toISOString(),
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
  };
}
