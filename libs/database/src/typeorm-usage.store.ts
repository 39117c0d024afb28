import type { DataSource, EntityManager } from 'typeorm';
import type { ModelUsage, UsageEntry, UsageStore, UsageWindow } from './usage-store.port';

interface TotalsRow {
  model: string;
  requests: string | number;
  prompt_tokens: string | number;
  completion_tokens: string | number;
  total_tokens: string | number;
  estimated_tokens: string | number;
}

/** Usage totals as GROUP BY sums over `usage_records`, read with plain SQL (no entity: the table is only summed). */
export class TypeOrmUsageStore implements UsageStore {
  constructor(private readonly dataSource: DataSource) {}

  async totalsForTenant(tenantId: string, window: UsageWindow): Promise<ModelUsage[]> {
    const rows: TotalsRow[] = await this.dataSource.query(
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
}

/**
 * Records a job's usage inside the transaction that just moved the job to its terminal state, taking tenant
 * and public model name from the job row itself. The primary key on `job_id` makes a second record a no-op,
 * a second line of defence behind the caller only recording when its transition changed the row.
 */
export async function insertUsageRecord(manager: EntityManager, jobId: string, entry: UsageEntry): Promise<void> {
  const { usage } = entry;
  await manager.query(
    `INSERT INTO usage_records (job_id, tenant_id, model, outcome, prompt_tokens, completion_tokens, total_tokens, estimated, recorded_at)
     SELECT id, tenant_id, model, $2, $3, $4, $5, $6, $7 FROM jobs WHERE id = $1
     ON CONFLICT (job_id) DO NOTHING`,
    [jobId, entry.outcome, usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, entry.estimated, entry.at],
  );
}
