import { z } from 'zod';
import type { TenantRecord } from '@conveyor/database';
import { limitParam, listOf } from '../admin-list.schema';

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** `POST /v1/admin/tenants`. */
export const CreateTenantSchema = z.strictObject({
  id: z.string().regex(TENANT_ID, 'must be 1–64 letters, digits, _ . - (starting with a letter or digit)'),
});
export type CreateTenant = z.infer<typeof CreateTenantSchema>;

/** `GET /v1/admin/tenants`: ordered by id, `after` the last id of the previous page. */
export const TenantListQuerySchema = z.object({
  limit: limitParam(20),
  after: z.string().max(64).optional(),
});
export type TenantListQuery = z.infer<typeof TenantListQuerySchema>;

export const TenantViewSchema = z.object({
  object: z.literal('tenant'),
  id: z.string(),
  status: z.enum(['active', 'disabled']),
  created_at: z.string(),
  disabled_at: z.string().nullable(),
  active_keys: z.number().int(),
});
export type TenantView = z.infer<typeof TenantViewSchema>;
export const TenantListViewSchema = listOf(TenantViewSchema);

export function presentTenant(t: TenantRecord): TenantView {
  return {
    object: 'tenant',
    id: t.id,
    status: t.disabledAt ? 'disabled' : 'active',
    created_at: t.createdAt.toISOString(),
    disabled_at: t.disabledAt?.toISOString() ?? null,
    active_keys: t.activeKeys,
  };
}
