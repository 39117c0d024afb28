import type { TenantLimits } from '@conveyor/config';
import { resolveLimits, TenantLimitsOverrideSchema } from './tenant-limits.schema';

const defaults: TenantLimits = {
  rate_limits: { tenant: { rpm: 600, burst: null, tpm: 100_000 }, key: { rpm: 60, burst: 10, tpm: null } },
  budgets: { daily_tokens: null, monthly_tokens: 5_000_000, daily_usd: null, monthly_usd: 100 },
  priorities: ['high', 'normal', 'low'],
};

describe('tenant limits overrides', () => {
  it('keeps every default where the override says nothing', () => {
    expect(resolveLimits(defaults, {})).toEqual(defaults);
  });

  it('replaces a default with a number, removes it with null, field by field', () => {
    const resolved = resolveLimits(defaults, {
      rate_limits: { tenant: { tpm: null }, key: { rpm: 120 } },
      budgets: { daily_tokens: 10_000, monthly_usd: null },
      priorities: ['low', 'normal'],
    });
    expect(resolved).toEqual({
      rate_limits: { tenant: { rpm: 600, burst: null, tpm: null }, key: { rpm: 120, burst: 10, tpm: null } },
      budgets: { daily_tokens: 10_000, monthly_tokens: 5_000_000, daily_usd: null, monthly_usd: null },
      priorities: ['normal', 'low'],
    });
  });

  it('rejects unknown fields, zero or fractional counts, and unknown or no bands', () => {
    expect(TenantLimitsOverrideSchema.safeParse({ rate_limits: { tenant: { rps: 1 } } }).success).toBe(false);
    expect(TenantLimitsOverrideSchema.safeParse({ rate_limits: { tenant: { rpm: 0 } } }).success).toBe(false);
    expect(TenantLimitsOverrideSchema.safeParse({ budgets: { daily_tokens: 1.5 } }).success).toBe(false);
    expect(TenantLimitsOverrideSchema.safeParse({ budgets: { daily_usd: 0 } }).success).toBe(false);
    expect(TenantLimitsOverrideSchema.safeParse({ priorities: ['urgent'] }).success).toBe(false);
    expect(TenantLimitsOverrideSchema.safeParse({ priorities: [] }).success).toBe(false);
    expect(TenantLimitsOverrideSchema.safeParse({ budgets: { daily_usd: 2.5, monthly_tokens: null } }).success).toBe(true);
  });
});
