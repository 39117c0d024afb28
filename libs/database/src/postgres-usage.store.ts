import type { PostgresClient } from './postgres.client';
import type { ModelSpend, ModelUsage, UsageStore, UsageWindow } from './usage-store.port';

interface TotalsRow {
  model: string;
  requests: string | number;
  prompt_tokens: string | number;
  completion_tokens: string | number;
  total_tokens: string | number;
  estimated_tokens: string | number;
}

/** Usage totals as GROUP BY sums over `usage_records` (written by the job store with each terminal transition). */
export class PostgresUsageStore implements UsageStore {
  constructor(private readonly db: PostgresClient) {}

  async totalsForTenant(tenantId: string, window: UsageWindow): Promise<ModelUsage[]> {
    const rows = await this.db.rows<TotalsRow>(
      `SELECT model,
              count(*) AS requests,
              sum(prompt_tokens) AS prompt_tokens,
              sum(completion_tokens) AS completion_tokens,
              sum(total_tokens) AS total_tokens,
              sum(CASE WHEN estimated THEN total_tokens ELSE 0 END) AS estimated_tokens
         FROM usage_records
        WHERE tenant_id = $1
          AND ($2::timestamptz IS NULL OR recorded_at >= $2::timestamptz)
          AND ($3::timestamptz IS NULL OR recorded_at < $3::timestamptz)
        GROUP BY model
        ORDER BY model`,
      [tenantId, window.since ?? null, window.until ?? null],
    );
    // count and sum are bigint, which the driver hands over as text: totals stay far below 2^53.
    return rows.map((r) => ({
      model: r.model,
      requests: Number(r.requests),
      promptTokens: Number(r.prompt_tokens),
      completionTokens: Number(r.completion_tokens),
      totalTokens: Number(r.total_tokens),
      estimatedTokens: Number(r.estimated_tokens),
    }));
  }

  async spendByModel(tenantId: string, monthStart: Date, dayStart: Date): Promise<ModelSpend[]> {
    const rows = await this.db.rows<Record<string, string | number> & { model: string }>(
      `SELECT model,
              coalesce(sum(prompt_tokens) FILTER (WHERE recorded_at >= $3), 0) AS day_prompt,
              coalesce(sum(completion_tokens) FILTER (WHERE recorded_at >= $3), 0) AS day_completion,
              coalesce(sum(total_tokens) FILTER (WHERE recorded_at >= $3), 0) AS day_total,
              sum(prompt_tokens) AS month_prompt,
              sum(completion_tokens) AS month_completion,
              sum(total_tokens) AS month_total
         FROM usage_records
        WHERE tenant_id = $1 AND recorded_at >= $2
        GROUP BY model
        ORDER BY model`,
      [tenantId, monthStart, dayStart],
    );
    return rows.map((r) => ({
      model: r.model,
      day: { promptTokens: Number(r.day_prompt), completionTokens: Number(r.day_completion), totalTokens: Number(r.day_total) },
      month: { promptTokens: Number(r.month_prompt), completionTokens: Number(r.month_completion), totalTokens: Number(r.month_total) },
    }));
  }
}
