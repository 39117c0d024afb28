import type {
  Usage,
  ChatMessage,
  CompletionParams,
  JobCancelled,
  JobCompleted,
  JobFailed,
  JobResult,
  JobStarted,
  JobStatus,
  PriorityBand,
  ProviderAttempt,
} from '@conveyor/contracts';

/** What a job cancelled mid-generation had produced. */
export interface PartialResult {
  content: string;
  usage: Usage;
}

export interface NewJob {
  id: string;
  tenantId: string;
  model: string;
  priority: PriorityBand;
  messages: ChatMessage[];
  params: CompletionParams;
  metadata: Record<string, string>;
  /** W3C trace id of the request that created the job, when there was one. */
  traceId: string | null;
  createdAt: Date;
  /** The request's `callback_url`, if it gave one, and the sealed secret its webhooks are signed with. */
  callbackUrl?: string | null;
  callbackSecret?: string | null;
}

export interface JobRecord extends NewJob {
  status: JobStatus;
  result: JobResult | null;
  error: { code: string; message: string } | null;
  attempts: number;
  /** The provider calls of the delivery that finished the job (empty until it finishes). */
  attemptsLog: ProviderAttempt[];
  /** Text and usage of a job cancelled mid-generation. */
  partialResult: PartialResult | null;
  workerId: string | null;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  failedAt: Date | null;
  cancelledAt: Date | null;
}

export interface JobListQuery {
  status?: JobStatus;
  limit: number;
  /** Cursor: only jobs older than this job id (ids are UUIDv7, so they sort by creation). */
  after?: string;
}

/**
 * Jobs in PostgreSQL. Every transition is a conditional update, so a duplicate or stale event never moves a
 * job backwards or writes a result twice; the `mark*` methods answer whether they changed anything.
 */
export interface JobStore {
  insert(job: NewJob): Promise<void>;
  /** Removes a job that was never accepted (its publish failed before the 202). */
  remove(id: string): Promise<void>;
  findForTenant(tenantId: string, id: string): Promise<JobRecord | null>;
  listForTenant(tenantId: string, query: JobListQuery): Promise<{ jobs: JobRecord[]; hasMore: boolean }>;
  /** The status alone, for workers deciding whether a delivered job should still run. */
  statusOf(id: string): Promise<JobStatus | null>;
  /** Whether the tenant's job has its own `callback_url` (false for an unknown job): one narrow read. */
  hasCallback(tenantId: string, id: string): Promise<boolean>;
  /** queued → cancelled. Answers the job as it is afterwards (unchanged if it was not queued), or null if not the tenant's. */
  cancelQueued(tenantId: string, id: string, at: Date): Promise<{ job: JobRecord; changed: boolean } | null>;
  /** queued → running; running → running only for a higher attempt (a redelivery). The first start time is kept. */
  markStarted(event: JobStarted): Promise<boolean>;
  /**
   * queued or running → completed. A duplicate or late completion never replaces the first result. Records the
   * job's usage (usage_records) in the same transaction, only when this call made the transition.
   */
  markCompleted(event: JobCompleted): Promise<boolean>;
  /** queued or running → failed. */
  markFailed(event: JobFailed): Promise<boolean>;
  /** queued or running → cancelled; a partial result's (estimated) usage is recorded as markCompleted does. */
  markCancelled(event: JobCancelled): Promise<boolean>;
  /** Jobs not yet terminal, oldest first (the embedded mode re-enqueues them at start-up). */
  listUnfinished(limit: number): Promise<JobRecord[]>;
  ping(): Promise<void>;
}

export const JOB_STORE = Symbol('JOB_STORE');
