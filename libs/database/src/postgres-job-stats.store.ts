import { JOB_STATUSES, PRIORITY_BANDS, type JobStatus, type PriorityBand } from '@conveyor/contracts';
import type { AnalyticsBucket, DeploymentOutcomes, JobStatsStore, Percentiles, TenantActivity, TenantAnalytics } from './job-stats-store.port';
import type { PostgresClient } from './postgres.client';

interface OutcomeRow {
  deployment: string;
  calls: string | number;
  errors: string | number;
  last_outcome: DeploymentOutcomes['lastOutcome'];
  last_at: Date;
  last_error: string | null;
}

type Count = string | number;
type Quantiles = (number | null)[] | null;

/** The three percentiles asked of PostgreSQL, in this order. */
const PERCENTILES = 'ARRAY[0.5, 0.95, 0.99]::float8[]';

/** The smallest UUIDv7 of a millisecond: job ids are UUIDv7, so "created since" is a primary-key range. */
export function uuidv7LowerBound(at: Date): string {
  const hex = Math.max(0, at.getTime()).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/** JobStatsStore on PostgreSQL: GROUP BY reads over the indexes the job store already has. */
export class PostgresJobStatsStore implements JobStatsStore {
  constructor(private readonly db: PostgresClient) {}

  async countByStatus(tenantId: string): Promise<Record<JobStatus, number>> {
    // An index-only range of jobs_tenant_id_status_id_idx; count is bigint, which the driver hands over as text.
    const rows = await this.db.rows<{ status: JobStatus; n: string | number }>('SELECT status, count(*) AS n FROM jobs WHERE tenant_id = $1 GROUP BY status', [
      tenantId,
    ]);
    const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async busyWorkers(): Promise<number> {
    // Running jobs are few and indexed (jobs_unfinished_idx), whatever the table's size.
    const [row] = await this.db.rows<{ n: string | number }>("SELECT count(DISTINCT worker_id) AS n FROM jobs WHERE status = 'running'");
    return Number(row?.n ?? 0);
  }

  async deploymentOutcomes(since: Date, limit: number): Promise<DeploymentOutcomes[]> {
    const rows = await this.db.rows<OutcomeRow>(
      `WITH recent AS (
         SELECT id, attempts_log, COALESCE(completed_at, failed_at, cancelled_at) AS ended_at
           FROM jobs
          WHERE id >= $1::uuid AND status IN ('completed', 'failed', 'cancelled')
          ORDER BY id DESC
          LIMIT $2
       ), calls AS (
         SELECT r.id, r.ended_at, a.ord, a.call
           FROM recent r, jsonb_array_elements(r.attempts_log) WITH ORDINALITY AS a(call, ord)
       )
       SELECT call->>'deployment' AS deployment,
              count(*) AS calls,
              count(*) FILTER (WHERE call->>'outcome' = 'error') AS errors,
              (array_agg(call->>'outcome' ORDER BY id DESC, ord DESC))[1] AS last_outcome,
              max(ended_at) AS last_at,
              (array_agg(call->'error'->>'message' ORDER BY id DESC, ord DESC) FILTER (WHERE call->>'outcome' = 'error'))[1] AS last_error
         FROM calls
        GROUP BY call->>'deployment'
        ORDER BY 1`,
      [uuidv7LowerBound(since), limit],
    );
    return rows.map((r) => ({
      deployment: r.deployment,
      calls: Number(r.calls),
      errors: Number(r.errors),
      lastOutcome: r.last_outcome,
      lastAt: new Date(r.last_at),
      lastError: r.last_error,
    }));
  }

  async tenantActivity(tenantId: string): Promise<TenantActivity> {
    // Both are ranges of jobs_tenant_id_id_idx; counts are bigint and averages numeric, which the driver hands over as text.
    const [bands, days] = await Promise.all([
      this.db.rows<{ priority: PriorityBand; n: string | number; wait_ms: string | number | null; batches: string | number; batched: string | number }>(
        `SELECT priority, count(*) AS n,
                (avg(EXTRACT(EPOCH FROM (started_at - created_at)) * 1000) FILTER (WHERE started_at IS NOT NULL))::float8 AS wait_ms,
                count(DISTINCT batch_id) AS batches, count(batch_id) AS batched
           FROM jobs WHERE tenant_id = $1 GROUP BY priority`,
        [tenantId],
      ),
      this.db.rows<{ day: string; n: string | number }>(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n
           FROM jobs WHERE tenant_id = $1 GROUP BY 1 ORDER BY 1`,
        [tenantId],
      ),
    ]);
    const byBand = new Map(bands.map((b) => [b.priority, b]));
    return {
      bands: PRIORITY_BANDS.map((band) => {
        const row = byBand.get(band);
        return {
          band,
          requests: Number(row?.n ?? 0),
          meanWaitMs: row?.wait_ms == null ? null : Number(row.wait_ms),
          batches: Number(row?.batches ?? 0),
          batchedRequests: Number(row?.batched ?? 0),
        };
      }),
      perDay: days.map((d) => ({ date: d.day, count: Number(d.n) })),
    };
  }
  async tenantAnalytics(tenantId: string, since: Date, bucket: AnalyticsBucket): Promise<TenantAnalytics> {
    // Every read is one tenant's jobs created since `since`: one range of jobs_tenant_id_id_idx.
    const params = [tenantId, uuidv7LowerBound(since)];
    const [series, bands, errors] = await Promise.all([
      this.db.rows<{ at: Date; requests: Count; completed: Count; failed: Count; prompt_tokens: Count; completion_tokens: Count }>(
        `SELECT date_trunc($3, created_at) AS at,
                count(*) AS requests,
                count(*) FILTER (WHERE status = 'completed') AS completed,
                count(*) FILTER (WHERE status = 'failed') AS failed,
                COALESCE(sum((result->'usage'->>'prompt_tokens')::bigint), 0) AS prompt_tokens,
                COALESCE(sum((result->'usage'->>'completion_tokens')::bigint), 0) AS completion_tokens
           FROM jobs
          WHERE tenant_id = $1 AND id >= $2::uuid
          GROUP BY 1
          ORDER BY 1`,
        [...params, bucket],
      ),
      this.db.rows<{ priority: TenantAnalytics['bands'][number]['priority']; jobs: Count; latency: Quantiles; queue_wait: Quantiles }>(
        `SELECT priority,
                count(*) AS jobs,
                percentile_cont(${PERCENTILES}) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at) * 1000)
                  FILTER (WHERE completed_at IS NOT NULL) AS latency,
                percentile_cont(${PERCENTILES}) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - created_at) * 1000)
                  FILTER (WHERE started_at IS NOT NULL) AS queue_wait
           FROM jobs
          WHERE tenant_id = $1 AND id >= $2::uuid
          GROUP BY priority`,
        params,
      ),
      this.db.rows<{ model: string; deployment: string; errors: Count }>(
        `SELECT j.model, call->>'deployment' AS deployment, count(*) AS errors
           FROM jobs j, jsonb_array_elements(j.attempts_log) AS call
          WHERE j.tenant_id = $1 AND j.id >= $2::uuid AND j.attempts_log IS NOT NULL AND call->>'outcome' = 'error'
          GROUP BY 1, 2
          ORDER BY 3 DESC, 1, 2`,
        params,
      ),
    ]);
    return {
      series: series.map((r) => ({
        at: new Date(r.at),
        requests: Number(r.requests),
        completed: Number(r.completed),
        failed: Number(r.failed),
        promptTokens: Number(r.prompt_tokens),
        completionTokens: Number(r.completion_tokens),
      })),
      bands: bands.map((r) => ({ priority: r.priority, jobs: Number(r.jobs), latencyMs: percentiles(r.latency), queueWaitMs: percentiles(r.queue_wait) })),
      errors: errors.map((r) => ({ model: r.model, deployment: r.deployment, errors: Number(r.errors) })),
    };
  }
}

function percentiles(values: Quantiles): Percentiles {
  const at = (i: number) => (values?.[i] === null || values?.[i] === undefined ? null : Math.round(Number(values[i])));
  return { p50: at(0), p95: at(1), p99: at(2) };
}
