import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import {
  encodeEmbedding,
  isTerminal,
  messageText,
  type JobBatch,
  type JobOutcome,
  type JobRequested,
  type JobResult,
  type JobStatus,
  type ProviderAttempt,
  type Usage,
} from '@conveyor/contracts';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { MessagePublisher, Outcome, type DeliveryContext, type HandlerOutcome } from '@conveyor/messaging';
import { JobMetrics, type JobEnd } from '@conveyor/metrics';
import { BatchPolicy } from './batching/batch-policy';
import { JobBatcher, type BatchMemberRunner } from './batching/job-batcher';
import { CancellationRegistry } from './cancellation/cancellation.registry';
import { TombstoneRegistry } from './cancellation/tombstone.registry';
import { estimateUsage } from './providers/completion-tally.util';
import { StartedHereRegistry } from './republish/started-here.registry';
import { ModelRouter, RoutingError, type RouteResult } from './routing/model-router.service';
import { DeltaCoalescer } from './streaming/delta-coalescer';
import { DeltaOutbox } from './streaming/delta-outbox';
import { WatchedJobs } from './streaming/watched-jobs.registry';

const END_OF: Record<JobOutcome['type'], JobEnd> = {
  'job.completed': 'completed',
  'job.failed': 'failed',
  'job.cancelled': 'cancelled',
  'job.expired': 'expired',
};

/** See JobRunner.republishedCopyRuns: well above the time persistence takes to record a start. */
const COPY_SETTLE_MS = 2_000;

/**
 * Runs one delivered job: skips it if it ended before it ran, announces the start, routes the request through the
 * model catalogue (retries, fallbacks, deadline) while relaying deltas (coalesced into chunks every
 * STREAM_COALESCE_MS or STREAM_COALESCE_CHARS, and flushed before the end), and publishes the run's outcome with
 * every provider call made, for persistence to write and announce. An embeddings job is routed the same way and
 * ends with its vectors, with no deltas. The message is acked (by the returned outcome) only after that outcome is
 * confirmed, so a worker killed at any moment leaves the job to be redelivered. A completion job its band batches
 * (docs/batching.md) goes to the batcher instead, which runs it with others through the same ends.
 */
@Injectable()
export class JobRunner implements BatchMemberRunner {
  private readonly logger = new Logger(JobRunner.name);
  private readonly policy: BatchPolicy;
  private readonly batcher: JobBatcher;
  /** Every job's chunks, gathered into fewer messages (STREAM_BATCH_MS). */
  private readonly outbox: DeltaOutbox;

  constructor(
    private readonly router: ModelRouter,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly publisher: MessagePublisher,
    private readonly cancellations: CancellationRegistry,
    private readonly tombstones: TombstoneRegistry,
    private readonly watched: WatchedJobs,
    private readonly metrics: JobMetrics,
    private readonly startedHere: StartedHereRegistry = new StartedHereRegistry(),
    /** How long a copy sent by the orphan sweep waits before its second read (see republishedCopyRuns); not injected. */
    @Optional() private readonly copySettleMs: number = COPY_SETTLE_MS,
  ) {
    this.policy = new BatchPolicy(config.batching);
    this.outbox = new DeltaOutbox(publisher, config.streaming.batchMs);
    this.batcher = new JobBatcher({ config, router, publisher, cancellations, tombstones, watched, members: this });
  }

  async run(job: JobRequested, ctx: DeliveryContext): Promise<HandlerOutcome> {
    const skip = await this.reasonNotToRun(job, ctx);
    if (skip) return skip;
    // Held here from now on, in a batch or alone: a re-published copy of it elsewhere must not run it again.
    this.startedHere.add(job.job_id);
    // An embeddings job has no prompt to combine: it always runs on its own.
    const plan = ctx.slot && !job.params.embedding ? this.policy.planFor(job) : null;
    if (plan) return this.batcher.join(job, ctx, plan);
    return this.runOne(job, ctx, null);
  }

  /**
   * Runs the job on its own: a job not batched, a member of a `concurrent` batch or of a batch of one, or a member
   * a combined reply could not be split for (`extraUsage`: its share of that combined call, billed with its own).
   */
  async runOne(job: JobRequested, ctx: DeliveryContext, batch: JobBatch | null, extraUsage?: Usage): Promise<HandlerOutcome> {
    await ctx.slot?.acquire();
    const attempt = attemptOf(ctx);
    const runStart = Date.now();
    const startedAt = new Date(runStart).toISOString();
    this.recordStart(job, attempt, runStart);
    // Generation does not wait for the broker to confirm `job.started` (a round trip on every job's time to
    // first token). It is published first on the same channel, so it stays ahead of the deltas and the terminal
    // event; if it fails, generation is aborted and the job retried, as if the publish had been awaited.
    const announceFailed = new AbortController();
    const announced = this.publisher
      .publish('job.started', { job_id: job.job_id, tenant_id: job.tenant_id, attempt, worker_id: this.config.worker.id, started_at: startedAt })
      .then(
        () => null,
        (err: Error) => (announceFailed.abort(err), err),
      );

    const cancel = this.cancellations.begin(job.job_id, job.tenant_id);
    const text = { so_far: '' };
    try {
      let result: JobResult;
      let attemptsLog: ProviderAttempt[];
      try {
        const signal = AbortSignal.any([ctx.signal, cancel.signal, announceFailed.signal]);
        ({ result, attemptsLog } = job.params.embedding ? await this.embed(job, signal) : await this.generate(job, attempt, signal, text));
      } catch (err) {
        if (announceFailed.signal.aborted) return Outcome.retry(`could not announce the start: ${(announceFailed.signal.reason as Error).message}`);
        if (cancel.signal.aborted) return await this.cancelled(job, text.so_far, batch, runStart);
        if (ctx.signal.aborted) return Outcome.retry('worker shutting down', 0);
        if (err instanceof RoutingError && err.code !== 'cancelled') return await this.failFor(job, attempt, err, batch, runStart);
        return await this.fail(job, attempt, ctx, err as Error, batch, runStart);
      }
      if (extraUsage) result = { ...result, usage: addUsage(result.usage, extraUsage) };
      await this.complete(job, attempt, startedAt, result, attemptsLog, batch, runStart);
      return Outcome.ack();
    } finally {
      this.cancellations.end(job.job_id);
      // Never leave the start's publish behind the ack: the outcome is settled only once it has settled too.
      await announced;
    }
  }

  /** Counts a run's start (the queue wait on a job's first one); the batcher counts its combined calls' members here. */
  recordStart(job: JobRequested, attempt: number, runStart: number): void {
    this.metrics.started(job.model, job.priority, attempt === 1 ? (runStart - Date.parse(job.created_at)) / 1000 : undefined);
  }

  async complete(
    job: JobRequested,
    attempt: number,
    startedAt: string,
    result: JobResult,
    attemptsLog: ProviderAttempt[],
    batch: JobBatch | null,
    runStart?: number,
  ): Promise<void> {
    await this.end(
      job,
      {
        type: 'job.completed',
        event: {
          job_id: job.job_id,
          tenant_id: job.tenant_id,
          attempt,
          worker_id: this.config.worker.id,
          started_at: startedAt,
          completed_at: new Date().toISOString(),
          result,
          attempts_log: attemptsLog,
          ...(batch && { batch }),
        },
      },
      runStart ?? Date.parse(startedAt),
    );
    this.metrics.tokens(job.model, result.usage.prompt_tokens, result.usage.completion_tokens);
  }

  /** A caller cancelled the running job: it ends `cancelled`, keeping the text generated so far and its usage. */
  async cancelled(job: JobRequested, partialText: string, batch: JobBatch | null, runStart?: number): Promise<HandlerOutcome> {
    await this.end(
      job,
      {
        type: 'job.cancelled',
        event: {
          job_id: job.job_id,
          tenant_id: job.tenant_id,
          cancelled_at: new Date().toISOString(),
          partial: { content: partialText, usage: estimateUsage(job.messages, partialText) },
          ...(batch && { batch }),
        },
      },
      runStart,
    );
    this.logger.log(`job ${job.job_id} cancelled after ${partialText.length} characters`);
    return Outcome.ack();
  }

  private async generate(
    job: JobRequested,
    attempt: number,
    signal: AbortSignal,
    text: { so_far: string },
  ): Promise<{ result: JobResult; attemptsLog: ProviderAttempt[] }> {
    const request = { model: job.model, messages: job.messages, params: job.params };
    const { coalesceMs, coalesceChars } = this.config.streaming;
    // Chunks flow only while someone watches the text (from the start, or from a `job.watch` heard later); a job
    // nobody streams costs no chunk messages and no chunk rows, and its result carries the text.
    // Deltas are transient: a lost one is recovered from the final text, never worth holding up generation.
    const chunks = new DeltaCoalescer({ maxDelayMs: coalesceMs, maxChars: coalesceChars, live: job.stream === true }, (content, seq) =>
      this.outbox.add({ job_id: job.job_id, tenant_id: job.tenant_id, attempt, seq, content }),
    );
    if (this.watched.begin(job.job_id, () => chunks.goLive())) chunks.goLive();
    let routed: RouteResult;
    try {
      routed = await this.router.route(
        request,
        signal,
        (content, seq) => {
          text.so_far = seq === 0 ? content : text.so_far + content; // seq 0: the text starts over (a fallback)
          chunks.push(content, seq);
        },
        { tenantId: job.tenant_id, settingsVersion: job.settings_version },
      );
    } finally {
      this.watched.end(job.job_id);
      // Before any terminal event (completed, failed or cancelled), so no text ever trails the end of a job.
      chunks.flush();
    }
    const result: JobResult = {
      message: { role: 'assistant', content: routed.text, ...(routed.toolCalls && { tool_calls: routed.toolCalls }) },
      finish_reason: routed.finishReason,
      usage: routed.usage,
      ...(routed.usageEstimated && { usage_estimated: true }),
      provider: routed.deployment.provider,
      model: job.model,
    };
    return { result, attemptsLog: routed.attempts };
  }

  /** An embeddings job: its user messages are the inputs; the vectors travel encoded (see embedding-vector.util.ts). */
  private async embed(job: JobRequested, signal: AbortSignal): Promise<{ result: JobResult; attemptsLog: ProviderAttempt[] }> {
    const inputs = job.messages.map(messageText);
    const routed = await this.router.embed({ model: job.model, inputs, dimensions: job.params.embedding?.dimensions, user: job.params.user }, signal, {
      tenantId: job.tenant_id,
      settingsVersion: job.settings_version,
    });
    const result: JobResult = {
      message: { role: 'assistant', content: '' },
      finish_reason: 'stop',
      usage: routed.usage,
      ...(routed.usageEstimated && { usage_estimated: true }),
      provider: routed.deployment.provider,
      model: job.model,
      embeddings: routed.vectors.map(encodeEmbedding),
    };
    return { result, attemptsLog: routed.attempts };
  }

  /** Routing already retried and fell back as far as it could: its verdict fails the job for good. */
  async failFor(job: JobRequested, attempt: number, err: RoutingError, batch: JobBatch | null, runStart?: number): Promise<HandlerOutcome> {
    this.logger.warn(`job ${job.job_id} failed (${err.code}) after ${err.attempts.length} provider call(s): ${err.message}`);
    await this.end(
      job,
      {
        type: 'job.failed',
        event: {
          job_id: job.job_id,
          tenant_id: job.tenant_id,
          attempt,
          failed_at: new Date().toISOString(),
          error: { code: err.code as Exclude<RoutingError['code'], 'cancelled'>, message: err.message },
          attempts_log: err.attempts,
          ...(batch && { batch }),
        },
      },
      runStart,
    );
    return Outcome.ack();
  }

  /**
   * Anything but a routing verdict (the catalogue's own failures are already retried there) is unexpected and
   * possibly transient: retry the job later while the retry budget lasts, then fail it for good.
   */
  async fail(job: JobRequested, attempt: number, ctx: DeliveryContext, err: Error, batch: JobBatch | null, runStart?: number): Promise<HandlerOutcome> {
    if (ctx.delivery.retries < this.config.broker.retryMaxAttempts) {
      this.logger.warn(`job ${job.job_id} attempt ${attempt} failed, retrying later: ${err.message}`);
      return Outcome.retry(err.message);
    }
    await this.end(
      job,
      {
        type: 'job.failed',
        event: {
          job_id: job.job_id,
          tenant_id: job.tenant_id,
          attempt,
          failed_at: new Date().toISOString(),
          error: { code: 'retries_exhausted', message: err.message },
          ...(batch && { batch }),
        },
      },
      runStart,
    );
    return Outcome.ack();
  }

  /**
   * Why a delivered job must not run, as the outcome that settles it; null to run it. A job that ended without
   * running (cancelled or expired while queued) is known from its tombstone; only a redelivered message, which may
   * belong to a job that already ended (a worker killed between its outcome's confirm and its ack), a job past
   * its deadline, a copy sent by the orphan sweep and a message older than the publish timeout read the row; a
   * job with none is dead-lettered unrun. (A gateway never removes a job whose message may be queued: a publish in
   * doubt is accepted, see JobsService.submit.) A queued job past its deadline ends `expired` without a provider call;
   * one that started already (a redelivery of a running job) runs on, since only queued jobs expire.
   */
  private async reasonNotToRun(job: JobRequested, ctx: DeliveryContext): Promise<HandlerOutcome | null> {
    if (this.tombstones.has(job.job_id)) {
      this.logger.log(`job ${job.job_id} ended before it ran; not running it`);
      return Outcome.ack();
    }
    const pastDeadline = job.expires_at !== undefined && Date.parse(job.expires_at) <= Date.now();
    const firstDelivery = ctx.deliveryCount === 1 && ctx.delivery.retries === 0;
    // A message older than the publish timeout may have outlived its row (a gateway of an earlier version removed
    // the row of a publish in doubt; a message put on the queue by hand): it is read, a backlog's reads together.
    const stale = !(Date.now() - Date.parse(job.created_at) < this.config.broker.publishTimeoutMs);
    if (firstDelivery && !pastDeadline && !job.republished && !stale) return null;
    const state = await this.jobs.runStateOf(job.job_id);
    if (state === null) return Outcome.deadLetter(`job ${job.job_id} has no row: it was never accepted`);
    const { status, starts } = state;
    if (status === 'queued' && pastDeadline) return this.expire(job);
    // A later delivery of a copy sent by the orphan sweep is a redelivery like any other.
    if (job.republished && firstDelivery && !(await this.republishedCopyRuns(job.job_id, status))) return Outcome.ack();
    // Each earlier retry started the job once; the starts beyond those are this message's deliveries that never
    // finished: a job that takes its worker down. (Deliveries a worker held without running do not count.)
    const maxStarts = this.config.broker.maxDeliveries;
    if (status === 'running' && starts - ctx.delivery.retries >= maxStarts)
      return Outcome.deadLetter(`crash loop: started ${starts} times without finishing (JOB_MAX_DELIVERIES ${maxStarts})`);
    if (!isTerminal(status)) return null;
    this.logger.log(`job ${job.job_id} is ${status}; not running it again`);
    return Outcome.ack();
  }

  /**
   * A copy sent by the orphan sweep runs only a job that no message started: not one that ran here, nor one whose
   * row moved on — read twice, `copySettleMs` apart, so a first message delivered just before its copy to another
   * worker has its start recorded in between. What this cannot see: a first message held unstarted that long by a
   * busy worker; that job then runs twice (its result is still written once).
   */
  private async republishedCopyRuns(jobId: string, status: JobStatus): Promise<boolean> {
    const skip = (why: string) => {
      this.logger.log(`job ${jobId} ${why}: its first message existed after all; not running the re-published copy`);
      return false;
    };
    if (this.startedHere.has(jobId)) return skip('started on this worker');
    if (status !== 'queued') return skip(`is ${status}`);
    await new Promise((resolve) => setTimeout(resolve, this.copySettleMs));
    if (this.startedHere.has(jobId)) return skip('started on this worker');
    const now = (await this.jobs.runStateOf(jobId))?.status ?? null;
    if (now !== 'queued') return skip(`is ${now ?? 'gone'}`);
    return true;
  }

  async expire(job: JobRequested): Promise<HandlerOutcome> {
    await this.end(job, { type: 'job.expired', event: { job_id: job.job_id, tenant_id: job.tenant_id, expired_at: new Date().toISOString() } });
    this.tombstones.add(job.job_id);
    this.logger.log(`job ${job.job_id} expired in the queue (deadline ${job.expires_at}); not running it`);
    return Outcome.ack();
  }

  /**
   * The run's end, for persistence, which writes the row and then announces it (to the waiting replica too). It is
   * counted once the broker has it; `runStart` is when the run began, for a job that ran on its own.
   */
  private async end(job: JobRequested, outcome: Omit<JobOutcome, 'reply_to'>, runStart?: number): Promise<void> {
    this.outbox.flush();
    await this.publisher.publish('job.outcome', { ...outcome, ...(job.reply_to && { reply_to: job.reply_to }) } as JobOutcome);
    this.metrics.finished(END_OF[outcome.type], job.model, job.priority, runStart === undefined ? undefined : (Date.now() - runStart) / 1000);
  }
}

/** Deliveries of the job message so far, retries included: the attempt its events carry. */
export function attemptOf(ctx: DeliveryContext): number {
  return ctx.delivery.retries + ctx.deliveryCount;
}

function addUsage(a: Usage, b: Usage): Usage {
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
}
