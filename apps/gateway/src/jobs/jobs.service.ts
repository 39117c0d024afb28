import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONVEYOR_CONFIG, ModelAccess, type ConveyorConfig } from '@conveyor/config';
import { chatCompletionRequestSchema, isUuid, parsePriority, uuidv7, type JobListView, type JobView } from '@conveyor/contracts';
import { JOB_STORE, type JobRecord, type JobStore, type NewJob } from '@conveyor/database';
import { BrokerUnavailableError, MessagePublisher } from '@conveyor/messaging';
import { currentTraceId } from '@conveyor/telemetry';
import { GatewayErrorCode, GatewayException } from '../errors/gateway.exception';
import type { JobCallback } from '../webhooks/job-callback.service';
import { presentJob } from './job.presenter';
import { SubmitRateLimiter } from './submit-rate.limiter';
import { UnacceptedJobsReaper } from './unaccepted-jobs.reaper';
import { jobRequestedOf } from './job-requested.mapper';
import { JobListQuerySchema } from './job-list-query.schema';
import { parseOrThrow } from './request-validation.util';

/** Runs between a job's committed row and its publish (see JobsService.submit). */
export type BeforePublish = (job: NewJob) => Promise<void>;

/**
 * The job API's use cases. Submitting commits the job row, then publishes it to its priority band and waits
 * for the broker's confirm: a 202 therefore means both a committed row and a durable message. If the publish
 * fails the row is removed again and the caller gets a 503, never a 202.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);
  private readonly requestSchema: ReturnType<typeof chatCompletionRequestSchema>;
  /**
   * Which models and groups each tenant may name: anything else — unknown, or restricted to other tenants — is
   * the same 404 before anything is stored, so a tenant cannot learn what others may use.
   */
  private readonly access: ModelAccess;

  constructor(
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly publisher: MessagePublisher,
    private readonly rateLimiter: SubmitRateLimiter,
    private readonly unaccepted: UnacceptedJobsReaper,
  ) {
    this.requestSchema = chatCompletionRequestSchema(config.limits);
    this.access = new ModelAccess(config.models);
  }

  /**
   * `callback` is the request's checked `callback_url` (see JobCallbackService), stored with the job.
   * `beforePublish` runs beside the INSERT and before the job can run: a caller that waits for the job's
   * events subscribes there, so even a job that ends within a millisecond cannot end unseen. If it throws, the
   * job is not accepted.
   */
  async submit(tenantId: string, body: unknown, callback: JobCallback | null = null, beforePublish?: BeforePublish): Promise<NewJob> {
    const request = parseOrThrow(this.requestSchema, body);
    const waitS = this.rateLimiter.take(tenantId);
    if (waitS > 0) {
      throw new GatewayException(GatewayErrorCode.RateLimited, `Rate limit reached: ${this.config.rateLimit.submitsPerMinute} requests per minute. Try again in ${waitS} s.`, null, waitS);
    }
    const model = request.model ?? this.config.defaultModel;
    if (!this.access.mayUse(tenantId, model)) throw GatewayException.modelNotFound(model);
    const stop = typeof request.stop === 'string' ? [request.stop] : (request.stop ?? undefined);
    const job: NewJob = {
      id: uuidv7(),
      tenantId,
      model,
      priority: parsePriority(request.priority)!,
      messages: request.messages,
      params: {
        max_tokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
        temperature: request.temperature ?? undefined,
        top_p: request.top_p ?? undefined,
        stop,
        user: request.user,
        tools: request.tools ?? undefined,
        tool_choice: request.tool_choice ?? undefined,
      },
      metadata: request.metadata ?? {},
      traceId: currentTraceId(),
      createdAt: new Date(),
      callbackUrl: callback?.url ?? null,
      callbackSecret: callback?.sealedSecret ?? null,
    };
    if (!this.publisher.isReady()) throw unavailable(GatewayErrorCode.BrokerUnavailable);
    // The row and whatever the caller prepares (a binding to the job's events) do not depend on each other.
    const [stored, prepared] = await Promise.allSettled([this.storeOrThrow(() => this.jobs.insert(job)), beforePublish?.(job)]);
    if (stored.status === 'rejected') {
      // A broken connection may have committed the INSERT all the same: the 503 must leave no row behind.
      this.unaccepted.remove(job.id);
      throw stored.reason;
    }
    try {
      if (prepared.status === 'rejected') throw prepared.reason;
      await this.publisher.publish('job.requested', jobRequestedOf(job));
    } catch (err) {
      this.logger.warn(`job ${job.id} not accepted: ${(err as Error).message}`);
      this.unaccepted.remove(job.id);
      throw err instanceof BrokerUnavailableError ? unavailable(GatewayErrorCode.BrokerUnavailable) : err;
    }
    return job;
  }

  async get(tenantId: string, id: string): Promise<JobRecord> {
    const job = isUuid(id) ? await this.storeOrThrow(() => this.jobs.findForTenant(tenantId, id)) : null;
    if (!job) throw GatewayException.jobNotFound(id);
    return job;
  }

  async list(tenantId: string, query: unknown): Promise<JobListView> {
    const q = parseOrThrow(JobListQuerySchema, query, 'query string');
    const { jobs, hasMore } = await this.storeOrThrow(() => this.jobs.listForTenant(tenantId, q));
    const data: JobView[] = jobs.map(presentJob);
    return { object: 'list', data, first_id: data[0]?.job_id ?? null, last_id: data.at(-1)?.job_id ?? null, has_more: hasMore };
  }

  /**
   * queued → cancelled at once; a running job gets a cancel request broadcast to the workers, and the answer
   * waits (up to CANCEL_WAIT_MS) for the worker running it to stop it; a finished job comes back unchanged.
   */
  async cancel(tenantId: string, id: string): Promise<JobRecord> {
    const outcome = isUuid(id) ? await this.storeOrThrow(() => this.jobs.cancelQueued(tenantId, id, new Date())) : null;
    if (!outcome) throw GatewayException.jobNotFound(id);
    const { job, changed } = outcome;
    if (changed) {
      await this.publisher
        .publish('job.cancelled', { job_id: job.id, tenant_id: tenantId, cancelled_at: job.cancelledAt!.toISOString() })
        .catch((err) => this.logger.warn(`job ${job.id} cancelled, but its event was not published: ${(err as Error).message}`));
      return job;
    }
    if (job.status !== 'running') return job;
    await this.publisher.publish('job.cancel_requested', { job_id: job.id, tenant_id: tenantId, requested_at: new Date().toISOString() });
    return this.waitWhileRunning(tenantId, job);
  }

  private async waitWhileRunning(tenantId: string, job: JobRecord): Promise<JobRecord> {
    const deadline = Date.now() + this.config.cancelWaitMs;
    let current = job;
    while (current.status === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      current = (await this.storeOrThrow(() => this.jobs.findForTenant(tenantId, job.id))) ?? current;
    }
    return current;
  }

  private async storeOrThrow<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.logger.error(`database error: ${(err as Error).message}`);
      throw unavailable(GatewayErrorCode.DatabaseUnavailable);
    }
  }
}

function unavailable(code: GatewayErrorCode.BrokerUnavailable | GatewayErrorCode.DatabaseUnavailable): GatewayException {
  const what = code === GatewayErrorCode.BrokerUnavailable ? 'The queue' : 'The job store';
  return new GatewayException(code, `${what} is unavailable; nothing was accepted. Try again shortly.`);
}
