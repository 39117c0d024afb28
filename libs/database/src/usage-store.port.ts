import type { Usage } from '@conveyor/contracts';

/** The tokens one job spent, as the job store records them when the job ends (see PostgresJobStore). */
export interface UsageEntry {
  outcome: 'completed' | 'cancelled';
  usage: Usage;
  /** Counted with a tokenizer rather than reported by the provider (always so for a cancelled job's partial usage). */
  estimated: boolean;
  /** When the job completed or was cancelled: what `since`/`until` filter on. */
  at: Date;
}

/** One model's totals for a tenant over a window. `estimatedTokens` is the part of `totalTokens` that was estimated. */
export interface ModelUsage {
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  estimatedTokens: number;
}

export interface UsageWindow {
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
}

/** Tokens of one model counted since the start of the UTC day and of the UTC month. */
export interface ModelSpend {
  model: string;
  day: { promptTokens: number; completionTokens: number; totalTokens: number };
  month: { promptTokens: number; completionTokens: number; totalTokens: number };
}

/**
 * Usage totals per tenant and model. Rows are written by the job store in the same statement as the job's
 * terminal transition (so exactly once per job); this port only reads them.
 */
export interface UsageStore {
  /** The tenant's totals per public model name, ordered by model; models without usage in the window are absent. */
  totalsForTenant(tenantId: string, window: UsageWindow): Promise<ModelUsage[]>;
  /** The tenant's tokens per model since `monthStart`, and the part of them since `dayStart` (budgets). */
  spendByModel(tenantId: string, monthStart: Date, dayStart: Date): Promise<ModelSpend[]>;
}

export const USAGE_STORE = Symbol('USAGE_STORE');
