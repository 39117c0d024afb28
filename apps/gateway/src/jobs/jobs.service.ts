import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONVEYOR_CONFIG, ModelAccess, modelKindOf, type ConveyorConfig, type ModelKind } from '@conveyor/config';
import {
  isUuid,
  jobRequestedOf,
  parsePriority,
  presentJob,
  type ChatCompletionRequest,
  type EmbeddingParams,
  type JobListView,
  type JobRecord,
  type NewJob,
} from '@conveyor/contracts';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { BrokerUnavailableError, jobHeaders, MessagePublisher, shardOf, topologyOf, type TopologyOptions } from '@conveyor/messaging';
import { JobMetrics } from '@conveyor/metrics';
import { JobEventRouter } from '@conveyor/stream';
import { currentTraceId } from '@conveyor/telemetry';
import { AdmissionService } from '../admission/admission.service';
import type { JobListQuery } from './job-list-query.schema';
import { UnacceptedJobsReaper } from './unaccepted-jobs.reaper';
import { TerminalEventPublisher } from '@conveyor/webhooks';

/** Runs between a job's committed row and its publish (see JobsService.submit). */
/**
 * Runs before a job's message is published (a caller that waits registers for its end here). `replay`: the request
 * repeated an Idempotency-Key, so the job already exists and nothing is published; it may have ended long ago.
 */
export type BeforePublish = (job: NewJob, replay?: boolean) => Promise<void>;

/** A request's own webhook, checked (see JobCallbackService). */
export interface SubmitCallback {
  url: string;
  sealedSecret: string;
}

export interface SubmitOptions {
  callback?: SubmitCallback | null;
  /**
   * Runs beside the INSERT and before the job can run: a caller that waits for the job's events subscribes here,
   * so even a job that ends within a millisecond cannot end unseen. If it throws, the job is not accepted.
   */
  beforePublish?: BeforePublish;
  /** The priority when the body names none (`X-Priority`). */
  defaultPriority?: string | number;
  /** The reply key of this replica, for a caller waiting here for the job's end (see ReplyInbox). */
  replyTo?: string;
  /** Ask the workers to batch the job with others (seed 002's `/v1/query`; BATCHING=opt-in batches only these). */
  batchable?: boolean;
  /** Makes the job an embeddings job: its user messages are the inputs (see EmbeddingsService). */
  embedding?: EmbeddingParams;
}

/**
 * The job API's use cases. Submitting commits the job row, then publishes it to its priority band and waits
 * for the broker's confirm: a 202 therefore means both a committed row and a durable message. If either fails
 * the row is removed again and the caller gets a 503, never a 202 — unless the message was written and only its
 * confirm is missing: then it may be queued, and the committed row is the promise (the orphan sweep re-sends it).
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);
  /**
   * Which models and groups each tenant may name: anything else — unknown, or restricted to other tenants — is
   * the same 404 before anything is stored, so a tenant cannot learn what others may use.
   */
  private readonly access: ModelAccess;
  private readonly topology: TopologyOptions;

  constructor(
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly publisher: MessagePublisher,
    private readonly admission: AdmissionService,
    private readonly unaccepted: UnacceptedJobsReaper,
    private readonly router: JobEventRouter,
    private readonly metrics: JobMetrics,
    private readonly terminal: TerminalEventPublisher,
  ) {
    this.access = new ModelAccess(config.models);
    this.topology = topologyOf(config);
  }

  async submit(tenantId: string, request: ChatCompletionRequest, options: SubmitOptions = {}): Promise<NewJob> {
    const priority = parsePriority(request.priority ?? options.defaultPriority);
    if (!priority)
      throw new ConveyorException(
        ErrorCode.InvalidRequest,
        `Invalid 'priority': must be "high", "normal" (or "medium") or "low", or an integer from -10 to 10.`,
        'priority',
      );
    const model = request.model ?? this.config.defaultModel;
    if (!this.access.mayUse(tenantId, model)) throw ConveyorException.modelNotFound(model);
    requireKind(model, modelKindOf(this.config.models, model), options.embedding ? 'embedding' : 'chat');
    // What can refuse the request without state goes before admission, which charges it.
    const expiresAt = deadlineOf(request, new Date());
    if (!this.publisher.isReady())
      throw new ConveyorException(ErrorCode.BrokerUnavailable, 'The queue is unavailable; nothing was accepted. Try again shortly.');
    // Idempotency-Key, entitlements, budgets, rate limits (docs/admission.md); a repeated request answers with its job.
    const admitted = await this.admission.admit(tenantId, request, priority, options);
    if (admitted.replay) return admitted.replay;
    const job: NewJob = {
      id: admitted.jobId,
      tenantId,
      model,
      priority: admitted.priority,
      messages: request.messages,
      params: {
        max_tokens: admitted.maxTokens,
        temperature: request.temperature ?? undefined,
        top_p: request.top_p ?? undefined,
        stop: typeof request.stop === 'string' ? [request.stop] : (request.stop ?? undefined),
        user: request.user,
        tools: request.tools ?? undefined,
        tool_choice: request.tool_choice ?? undefined,
        embedding: options.embedding,
      },
      metadata: request.metadata ?? {},
      traceId: currentTraceId(),
      createdAt: new Date(),
      callbackUrl: options.callback?.url ?? null,
      callbackSecret: options.callback?.sealedSecret ?? null,
      expiresAt,
      settingsVersion: admitted.settingsVersion,
      ...(options.batchable && { batchable: true }),
    };
    // The row and whatever the caller prepares (a binding to the job's events) do not depend on each other.
    const [stored, prepared] = await Promise.allSettled([this.jobs.insert(job), options.beforePublish?.(job)]);
    if (stored.status === 'rejected') {
      // A broken connection may have committed the INSERT all the same: the 503 must leave no row behind.
      this.unaccepted.remove(job.id);
      throw stored.reason;
    }
    try {
      if (prepared.status === 'rejected') throw prepared.reason;
      await this.publisher.publish('job.requested', jobRequestedOf(job, shardOf(tenantId, this.topology), options.replyTo, this.router.watchesText(job.id)), {
        headers: jobHeaders(tenantId, this.config.jobQueues.tenantWeights),
      });
    } catch (err) {
      if (!(err instanceof BrokerUnavailableError && err.inDoubt)) {
        this.logger.warn(`job ${job.id} not accepted: ${(err as Error).message}`);
        this.unaccepted.remove(job.id);
        throw err;
      }
      // The message may be queued already, and a worker may be running it: refusing the job now could be a lie. Its
      // row is committed and carries no confirm, so the orphan sweep sends it again if the broker did not take it.
      this.logger.warn(`job ${job.id}: its publish is in doubt (${err.message}); accepted, and left to the orphan sweep`);
      this.metrics.submitted(job.model, job.priority);
      return job;
    }
    this.metrics.submitted(job.model, job.priority);
    // Not awaited: a mark that is lost only makes the orphan sweep send the job again, which workers tell apart.
    this.jobs.markEnqueued(job.id).catch((err: Error) => this.logger.warn(`job ${job.id}: could not record its confirm: ${err.message}`));
    return job;
  }

  async get(tenantId: string, id: string): Promise<JobRecord> {
    const job = isUuid(id) ? await this.jobs.findForTenant(tenantId, id) : null;
    if (!job) throw ConveyorException.jobNotFound(id);
    return job;
  }

  async list(tenantId: string, query: JobListQuery): Promise<JobListView> {
    const { jobs, hasMore } = await this.jobs.listForTenant(tenantId, query);
    const data = jobs.map((j) => presentJob(j));
    return { object: 'list', data, first_id: data[0]?.job_id ?? null, last_id: data.at(-1)?.job_id ?? null, has_more: hasMore };
  }

  /**
   * queued → cancelled at once; a running job gets a cancel request broadcast to the workers, and the answer
   * waits (up to CANCEL_WAIT_MS) for the job's terminal event; a finished job comes back unchanged.
   */
  async cancel(tenantId: string, id: string): Promise<JobRecord> {
    const outcome = isUuid(id) ? await this.jobs.cancelQueued(tenantId, id, new Date()) : null;
    if (!outcome) throw ConveyorException.jobNotFound(id);
    const { job, changed } = outcome;
    if (changed) {
      this.metrics.finished('cancelled', job.model, job.priority);
      await this.terminal
        .publish({
          type: 'job.cancelled',
          event: { job_id: job.id, tenant_id: tenantId, cancelled_at: job.cancelledAt!.toISOString(), has_callback: Boolean(job.callbackUrl) },
        })
        .catch((err: Error) => this.logger.warn(`job ${job.id} cancelled, but its event was not published: ${err.message}`));
      return job;
    }
    if (job.status !== 'running') return job;
    return this.stopRunning(job);
  }

  /**
   * Asks the workers to stop a running job and waits for its end, bound to its events before asking. Terminal
   * events are published once the row is written, so the row read after one shows the end.
   */
  private async stopRunning(job: JobRecord): Promise<JobRecord> {
    let ended!: () => void;
    const end = new Promise<void>((resolve) => (ended = resolve));
    const release = await this.router.watch(
      job.id,
      (event) => {
        if (event.type === 'job.completed' || event.type === 'job.failed' || event.type === 'job.cancelled') ended();
      },
      { text: false },
    );
    try {
      await this.publisher.publish('job.cancel_requested', { job_id: job.id, tenant_id: job.tenantId, requested_at: new Date().toISOString() });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([end, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.cancelWaitMs)))]).finally(() => clearTimeout(timer));
      return (await this.jobs.findForTenant(job.tenantId, job.id)) ?? job;
    } finally {
      void release().catch(() => undefined);
    }
  }
}

/** A model answers one kind of request: naming it for the other is the caller's mistake, said before anything is stored. */
function requireKind(model: string, kind: ModelKind | undefined, wanted: ModelKind): void {
  if (kind === wanted) return;
  const message =
    wanted === 'embedding'
      ? `The model '${model}' does not create embeddings; name an embedding model (GET /v1/models lists what you may use).`
      : `The model '${model}' is an embedding model; send its requests to POST /v1/embeddings.`;
  throw new ConveyorException(ErrorCode.InvalidRequest, message, 'model');
}

/** The request's `expires_at` or `expires_in` as a date; one already past is refused (the job could never run). */
function deadlineOf(request: ChatCompletionRequest, now: Date): Date | null {
  if (request.expires_in != null) return new Date(now.getTime() + request.expires_in * 1_000);
  if (request.expires_at == null) return null;
  const at = new Date(request.expires_at);
  if (at.getTime() <= now.getTime()) throw new ConveyorException(ErrorCode.InvalidRequest, `Invalid 'expires_at': it has already passed.`, 'expires_at');
  return at;
}
