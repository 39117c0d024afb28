import type { JobCancelled, JobCompleted, JobExpired, JobFailed, JobRecord, JobStarted, JobStatus, NewJob, PriorityBand } from '@conveyor/contracts';

/** The terminal transitions of one batch, by kind. */
export interface EndedJobs {
  completed: readonly JobCompleted[];
  failed: readonly JobFailed[];
  cancelled: readonly JobCancelled[];
  expired: readonly JobExpired[];
}

/** Queued jobs of one band and tenant: all of them, and those queued before a given job. */
export interface QueuedCount {
  band: PriorityBand;
  tenantId: string;
  total: number;
  before: number;
}

export interface JobListQuery {
  status?: JobStatus;
  limit: number;
  /** Cursor: only jobs older than this job id (ids are UUIDv7, so they sort by creation). */
  after?: string;
}

/** A job's status and how many times it started. */
export interface RunState {
  status: JobStatus;
  starts: number;
}

/** What `remove` did: removed the row, found none, or kept it because a worker holds its message. */
export type RemovalOutcome = 'removed' | 'absent' | 'delivered';

/**
 * Jobs in PostgreSQL. Every transition is a conditional update, so a duplicate or stale event never moves a
 * job backwards or writes a result twice; the `mark*` methods answer whether they changed anything.
 */
export interface JobStore {
  insert(job: NewJob): Promise<void>;
  /**
   * Removes a job that was never accepted (its publish failed before the 202) — unless its message was marked
   * enqueued meanwhile: a worker read it (runStateOf), so the publish did reach the queue and the job stays.
   */
  remove(id: string): Promise<RemovalOutcome>;
  /**
   * Records, a little later, that the broker confirmed the job's message: from then on it is no orphan. A job no
   * longer queued by then is left as it is (it started, so it is no orphan either).
   */
  markEnqueued(id: string): Promise<void>;
  /**
   * Orphans: queued jobs created before `before` whose message was never confirmed (their gateway died between the
   * row and the confirm). Locks up to `limit` of them in one transaction, skipping rows another replica holds,
   * hands them to `publish`, marks the ids it answers as enqueued, and commits; answers how many it marked.
   */
  republishOrphans(before: Date, limit: number, publish: (jobs: JobRecord[]) => Promise<string[]>): Promise<number>;
  findForTenant(tenantId: string, id: string): Promise<JobRecord | null>;
  listForTenant(tenantId: string, query: JobListQuery): Promise<{ jobs: JobRecord[]; hasMore: boolean }>;
  /** The status alone, for workers deciding whether a delivered job should still run. */
  statusOf(id: string): Promise<JobStatus | null>;
  /**
   * The status and how many times the job started (a worker's check of a delivered job). The worker holds the
   * job's message, so this also marks it enqueued if it was not yet.
   */
  runStateOf(id: string): Promise<RunState | null>;
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
  /** markStarted for a batch of events, in one statement; answers the ids it changed. */
  markStartedMany(events: readonly JobStarted[]): Promise<Set<string>>;
  /** Terminal transitions of a batch of events, one commit for them all; answers the ids it changed, each with whether it has a callback URL. */
  markEndedMany(ended: EndedJobs): Promise<Map<string, boolean>>;
  /** queued → expired. */
  markExpired(event: JobExpired): Promise<boolean>;
  /** Queued jobs whose deadline is at or before `now` (the caller's clock, which stamps their expiry), soonest first. */
  dueToExpire(limit: number, now: Date): Promise<Array<{ id: string; tenantId: string; model: string; priority: PriorityBand; expiresAt: Date }>>;
  /** Queued jobs per band and tenant, for the given bands, with how many of each were queued before `jobId`. */
  queuedCounts(bands: readonly PriorityBand[], jobId: string): Promise<QueuedCount[]>;
  /** How many jobs started (first attempt or later) since `since`: the recent drain rate. */
  startedSince(since: Date): Promise<number>;
  /** The current status of each job that exists (a batch's unchanged jobs: ended already, or otherwise?). */
  statusesOf(ids: readonly string[]): Promise<Map<string, JobStatus>>;
  /** Jobs cancelled or expired before they ever started, since `since`: their messages may still wait in a band. */
  endedUnstartedSince(since: Date, limit: number): Promise<string[]>;
  /** Jobs not yet terminal, oldest first (the embedded mode re-enqueues them at start-up). */
  listUnfinished(limit: number): Promise<JobRecord[]>;
  ping(): Promise<void>;
}

export const JOB_STORE = Symbol('JOB_STORE');
