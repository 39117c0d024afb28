import type { ChatMessage } from './chat-message.schema';
import type { CompletionParams, Usage } from './completion-params.schema';
import type { JobBatch } from './job-batch.schema';
import type { JobResult } from './job-events.schema';
import type { JobStatus } from './job-status';
import type { PriorityBand } from './priority.util';
import type { ProviderAttempt } from './provider-attempt.schema';

/** What a job cancelled mid-generation had produced. */
export interface PartialResult {
  content: string;
  usage: Usage;
}

/** A job as the gateway accepts it: what is stored before it is queued. */
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
  /** The caller's deadline: still queued past it, the job ends `expired` without running. */
  expiresAt?: Date | null;
  /**
   * The surface asks for the job to be batched with others (seed 002's `/v1/query`), which BATCHING=opt-in honours.
   * Carried by the job message only: a job re-queued from its row runs unbatched.
   */
  batchable?: boolean;
  /**
   * When the tenant's settings last changed, as the gateway that admitted the job knew them (microseconds since
   * the epoch, 20 digits, so versions compare as strings): a worker holding the tenant's provider keys from before
   * then reads them again before it runs the job.
   */
  settingsVersion?: string | null;
}

/** A stored job and everything that has happened to it. The presenters turn it into the public views. */
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
  expiredAt: Date | null;
  /** The batch the worker ran the job in; null (or absent) when it ran on its own. */
  batch?: JobBatch | null;
}

/** A job just accepted, as its row reads until a worker takes it. */
export function queuedRecordOf(job: NewJob): JobRecord {
  return {
    ...job,
    status: 'queued',
    result: null,
    error: null,
    attempts: 0,
    attemptsLog: [],
    partialResult: null,
    workerId: null,
    updatedAt: job.createdAt,
    startedAt: null,
    completedAt: null,
    failedAt: null,
    cancelledAt: null,
    expiredAt: null,
  };
}
