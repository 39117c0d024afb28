import type { JobStatus, PriorityBand } from '@conveyor/contracts';

/** What the recent provider calls of one deployment looked like, from the jobs that ended in a window. */
export interface DeploymentOutcomes {
  deployment: string;
  calls: number;
  errors: number;
  /** The outcome of the latest recorded call, and when the job it belongs to ended. */
  lastOutcome: 'ok' | 'error' | 'cancelled';
  lastAt: Date;
  /** The latest error's message, when there was one in the window. */
  lastError: string | null;
}

/** One band of a tenant's jobs (seed 002's analytics). */
export interface BandActivity {
  band: PriorityBand;
  requests: number;
  /** Mean time from a job's creation to its (first) start, over the jobs that started; null when none did. */
  meanWaitMs: number | null;
  /** Distinct batches the band's jobs ran in, and how many of its jobs ran in one (a job that ran alone has none). */
  batches: number;
  batchedRequests: number;
}

/** A tenant's jobs counted by band and by UTC day of creation. */
export interface TenantActivity {
  bands: BandActivity[];
  /** Days with at least one job, oldest first (`YYYY-MM-DD`, UTC). */
  perDay: Array<{ date: string; count: number }>;
}

export type AnalyticsBucket = 'minute' | 'hour' | 'day';

/** Percentiles of a duration in milliseconds, null when no job had one. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** One tenant's jobs created since a time: counts and tokens per bucket, durations per band, provider errors. */
export interface TenantAnalytics {
  series: { at: Date; requests: number; completed: number; failed: number; promptTokens: number; completionTokens: number }[];
  bands: { priority: PriorityBand; jobs: number; latencyMs: Percentiles; queueWaitMs: Percentiles }[];
  errors: { model: string; deployment: string; errors: number }[];
}

/**
 * Aggregate reads for operators' views (seed 004's `/stats` and `/health/full`): counts, never rows. Kept apart
 * from the job store, whose port is the job lifecycle's.
 */
export interface JobStatsStore {
  /** The tenant's jobs by status (every status present, 0 when none). */
  countByStatus(tenantId: string): Promise<Record<JobStatus, number>>;
  /** How many distinct workers are running a job right now (from the running jobs' rows, any tenant). */
  busyWorkers(): Promise<number>;
  /** Provider calls per deployment, from `attempts_log` of at most `limit` jobs created since `since`, any tenant. */
  deploymentOutcomes(since: Date, limit: number): Promise<DeploymentOutcomes[]>;
  /** The tenant's jobs by band (every band present) and by day, from `jobs` alone. */
  tenantActivity(tenantId: string): Promise<TenantActivity>;
  /** The tenant's jobs created since `since`, aggregated (the console's analytics): never another tenant's. */
  tenantAnalytics(tenantId: string, since: Date, bucket: AnalyticsBucket): Promise<TenantAnalytics>;
}

export const JOB_STATS_STORE = Symbol('JOB_STATS_STORE');
