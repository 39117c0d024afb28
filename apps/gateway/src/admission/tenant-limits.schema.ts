import { z } from 'zod';
import { PRIORITY_BANDS, type TenantLimits } from '@conveyor/config';

/** A limit: a positive whole number, or null for none (overriding a configured default). */
const Count = z.number().int('must be a whole number').min(1, 'must be at least 1 (null: no limit)').max(Number.MAX_SAFE_INTEGER).nullable().optional();
const Usd = z.number().positive('must be more than 0 (null: no budget)').max(1_000_000_000).nullable().optional();

const RateLimitOverride = z.strictObject({ rpm: Count, burst: Count, tpm: Count });

/**
 * The body of `PUT /v1/admin/tenants/{tenant}/limits`: a tenant's overrides of the configured limits. A field left
 * out takes the configured default; `null` means no limit for this tenant whatever the default; a number replaces
 * the default. The PUT replaces the tenant's previous overrides as a whole (`{}` returns it to the defaults).
 */
export const TenantLimitsOverrideSchema = z.strictObject({
  rate_limits: z.strictObject({ tenant: RateLimitOverride.optional(), key: RateLimitOverride.optional() }).optional(),
  budgets: z.strictObject({ daily_tokens: Count, monthly_tokens: Count, daily_usd: Usd, monthly_usd: Usd }).optional(),
  priorities: z
    .array(z.enum(PRIORITY_BANDS, { error: `must be one of: ${PRIORITY_BANDS.join(', ')}` }))
    .min(1, 'list at least one band')
    .optional(),
});

export type TenantLimitsOverride = z.infer<typeof TenantLimitsOverrideSchema>;

/** The configured defaults with a tenant's overrides on top, field by field (a field present, even null, wins). */
export function resolveLimits(defaults: TenantLimits, overrides: TenantLimitsOverride): TenantLimits {
  const pick = <T extends object>(base: T, over: Partial<T> | undefined): T => {
    const out = { ...base };
    for (const key of Object.keys(base) as Array<keyof T>) if (over && key in over && over[key] !== undefined) out[key] = over[key] as T[keyof T];
    return out;
  };
  return {
    rate_limits: {
      tenant: pick(defaults.rate_limits.tenant, overrides.rate_limits?.tenant),
      key: pick(defaults.rate_limits.key, overrides.rate_limits?.key),
    },
    budgets: pick(defaults.budgets, overrides.budgets),
    priorities: overrides.priorities ? PRIORITY_BANDS.filter((band) => overrides.priorities!.includes(band)) : [...defaults.priorities],
  };
}
