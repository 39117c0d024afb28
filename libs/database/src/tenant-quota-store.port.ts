/** One open stream's claim on its tenant's stream slots. */
export interface StreamLease {
  id: string;
  tenantId: string;
  /** The replica serving the stream (for operators reading the table). */
  holder: string;
  ttlMs: number;
}

/** An action counted per tenant per window: allowed, or refused with the seconds until the window ends. */
export type WindowVerdict = { allowed: true } | { allowed: false; retryAfterS: number };

/**
 * Per-tenant caps shared by every replica: concurrent stream leases that expire unless renewed, and actions
 * counted per fixed window. Each check and its claim are one atomic step, so replicas racing cannot overshoot.
 */
export interface TenantQuotaStore {
  /**
   * Takes a stream slot for each lease while its tenant holds fewer than `cap` live leases, in order: one answer
   * per lease (false for those past the cap). Many opens at once are one call, so they queue once, not each.
   */
  acquireStreamLeases(leases: readonly StreamLease[], cap: number): Promise<boolean[]>;
  /** Pushes the expiry of these leases `ttlMs` into the future (the holder's heartbeat). */
  renewStreamLeases(ids: readonly string[], ttlMs: number): Promise<void>;
  releaseStreamLeases(ids: readonly string[]): Promise<void>;
  /** Counts one `action` for the tenant in the current `windowMs` window, unless `limit` were already counted. */
  takeFromWindow(tenantId: string, action: string, limit: number, windowMs: number): Promise<WindowVerdict>;
}

export const TENANT_QUOTA_STORE = Symbol('TENANT_QUOTA_STORE');
