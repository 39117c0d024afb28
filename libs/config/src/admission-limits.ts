/** The priority bands, highest first (the same names as the job's `priority`). */
export const PRIORITY_BANDS = ['high', 'normal', 'low'] as const;
export type Band = (typeof PRIORITY_BANDS)[number];

/** One rate limit: requests per minute refilled continuously into a bucket of `burst`, and tokens per minute. null: none. */
export interface RateLimit {
  rpm: number | null;
  /** The bucket's size for requests; null: one minute's worth (`rpm`). */
  burst: number | null;
  tpm: number | null;
}

/** Token and cost budgets per UTC day and month. null: none. */
export interface Budgets {
  daily_tokens: number | null;
  monthly_tokens: number | null;
  daily_usd: number | null;
  monthly_usd: number | null;
}

/**
 * What a tenant may submit: rate limits for the tenant as a whole and for each of its API keys, budgets, and the
 * priority bands it may use. The same document is the configured default, the admin API's answer, and (as a deep
 * partial) what the admin API stores per tenant.
 */
export interface TenantLimits {
  rate_limits: { tenant: RateLimit; key: RateLimit };
  budgets: Budgets;
  priorities: Band[];
}

/** Seed 001's limit, per key: 60 requests per minute with a burst of 10 (the embedded default for the demo keys). */
export const SEED_KEY_RATE_LIMIT: RateLimit = { rpm: 60, burst: 10, tpm: null };

const orNull = (n: number): number | null => (n > 0 ? n : null);

/** The configured defaults (0 means none), before any tenant's overrides. */
export function defaultLimitsOf(env: {
  RATE_LIMIT_RPM: number;
  RATE_LIMIT_BURST: number;
  RATE_LIMIT_TPM: number;
  RATE_LIMIT_KEY_RPM: number;
  RATE_LIMIT_KEY_BURST: number;
  RATE_LIMIT_KEY_TPM: number;
  BUDGET_DAILY_TOKENS: number;
  BUDGET_MONTHLY_TOKENS: number;
  BUDGET_DAILY_USD: number;
  BUDGET_MONTHLY_USD: number;
  PRIORITY_BANDS: Band[];
}): TenantLimits {
  return {
    rate_limits: {
      tenant: { rpm: orNull(env.RATE_LIMIT_RPM), burst: orNull(env.RATE_LIMIT_BURST), tpm: orNull(env.RATE_LIMIT_TPM) },
      key: { rpm: orNull(env.RATE_LIMIT_KEY_RPM), burst: orNull(env.RATE_LIMIT_KEY_BURST), tpm: orNull(env.RATE_LIMIT_KEY_TPM) },
    },
    budgets: {
      daily_tokens: orNull(env.BUDGET_DAILY_TOKENS),
      monthly_tokens: orNull(env.BUDGET_MONTHLY_TOKENS),
      daily_usd: orNull(env.BUDGET_DAILY_USD),
      monthly_usd: orNull(env.BUDGET_MONTHLY_USD),
    },
    priorities: env.PRIORITY_BANDS,
  };
}

/** Parses PRIORITY_BANDS: band names separated by commas or spaces, at least one; null if any is not a band. */
export function parseBands(text: string): Band[] | null {
  const names = text
    .split(/[\s,]+/)
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0 || !names.every((n): n is Band => (PRIORITY_BANDS as readonly string[]).includes(n))) return null;
  return PRIORITY_BANDS.filter((band) => names.includes(band));
}
