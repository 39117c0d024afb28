import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { isTerminal, type JobRequested, type JobResult, type ProviderAttempt } from '@conveyor/contracts';
import { JOB_STORE, isDatabaseUnavailable, type JobStore } from '@conveyor/database';
import { MessagePublisher, Outcome, type DeliveryContext, type HandlerOutcome } from '@conveyor/messaging';
import { CancellationRegistry } from './cancellation/cancellation.registry';
import { estimateUsage } from './providers/completion-tally.util';
import { ModelRouter, RoutingError, type RouteResult } from './routing/model-router.service';
import { DeltaCoalescer } from './streaming/delta-coalescer';

/**
 * Runs one delivered job: skips it if it was cancelled or already finished, announces the start, routes the
 * request through the model catalogue (retries, fallbacks, deadline) while relaying deltas (coalesced into chunks
 * every STREAM_COALESCE_MS or STREAM_COALESCE_CHARS, and flushed before the terminal event), and publishes the
 * terminal event with every provider call made. The message is acked (by the returned outcome) only after that
 * terminal event is confirmed, so a worker killed at any moment leaves the job to be redelivered.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);

  constructor(
    private readonly router: ModelRouter,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly publisher: MessagePublisher,
    private readonly cancellations: CancellationRegistry,
  ) {}

  async run(job: JobRequested, ctx: DeliveryContext): Promise<HandlerOutcome> {
    let status: Awaited<ReturnType<JobStore['statusOf']>>;
    try {
      status = await this.jobs.statusOf(job.job_id);
    } catch (err) {
      return Outcome.afterFailure(`job store: ${(err as Error).message}`, isDatabaseUnavailable(err));
    }
    if (status === null) return Outcome.deadLetter(`job ${job.job_id} has no row: it was never accepted`);
    if (isTerminal(status)) {
      this.logger.log(`job ${job.job_id} is ${status}; not running it`);
      return Outcome.ack();
    }
    const attempt = ctx.delivery.retries + ctx.deliveryCount;
    const workerId = this.config.worker.id;
    const startedAt = new Date().toISOString();
    // Generation does not wait for the broker to confirm `job.started` (a round trip on every job's time to
    // first token). It is published first on the same channel, so it stays ahead of the deltas and the terminal
    // event; if it fails, generation is aborted and the job retried, as if the publish had been awaited.
    const announceFailed = new AbortController();
    const announced = this.publisher
      .publish('job.started', { job_id: job.job_id, tenant_id: job.tenant_id, attempt, worker_id: workerId, started_at: startedAt })
      .then(
        () => null,
        (err: Error) => (announceFailed.abort(err), err),
      );

    const cancel = this.cancellations.begin(job.job_id);
    const text = { so_far: '' };
    try {
      let result: JobResult;
      let attemptsLog: ProviderAttempt[];
      try {
        ({ result, attemptsLog } = await this.generate(job, attempt, AbortSignal.any([ctx.signal, cancel.signal, announceFailed.signal]), text));
      } catch (err) {
        if (announceFailed.signal.aborted) return Outcome.retry(`could not announce the start: ${(announceFailed.signal.reason as Error).message}`);
        if (cancel.signal.aborted) return await this.cancelled(job, text.so_far);
        if (ctx.signal.aborted) return Outcome.retry('worker shutting down', 0);
        if (err instanceof RoutingError && err.code !== 'cancelled') return await this.failFor(job, attempt, err);
        return await this.fail(job, attempt, ctx, err as Error);
      }
      await this.publisher.publish('job.completed', {
        job_id: job.job_id,
        tenant_id: job.tenant_id,
        attempt,
        worker_id: workerId,
        started_at: startedAt,
        completed_at: new Date().toISOString(),
        result,
        attempts_log: attemptsLog,
      });
      return Outcome.ack();
    } finally {
      this.cancellations.end(job.job_id);
      // Never leave the start's publish behind the ack: the outcome is settled only once it has settled too.
      await announced;
    }
  }

  /** A caller cancelled the running job: it ends `cancelled`, keeping the text generated so far and its usage. */
  private async cancelled(job: JobRequested, partialText: string): Promise<HandlerOutcome> {
    await this.publisher.publish('job.cancelled', {
      job_id: job.job_id,
      tenant_id: job.tenant_id,
      cancelled_at: new Date().toISOString(),
      partial: { content: partialText, usage: estimateUsage(job.messages, partialText) },
    });
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
    const chunks = new DeltaCoalescer({ maxDelayMs: coalesceMs, maxChars: coalesceChars }, (content, seq) => {
      // Deltas are transient: a lost one is recovered from the final text, never worth holding up generation.
      this.publisher.publish('job.delta', { job_id: job.job_id, tenant_id: job.tenant_id, attempt, seq, content }).catch(() => undefined);
    });
    let routed: RouteResult;
    try {
      routed = await this.router.route(request, signal, (content, seq) => {
        text.so_far = seq === 0 ? content : text.so_far + content; // seq 0: the text starts over (a fallback)
        chunks.push(content, seq);
      });
    } finally {
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

  /** Routing already retried and fell back as far as it could: its verdict fails the job for good. */
  private async failFor(job: JobRequested, attempt: number, err: RoutingError): Promise<HandlerOutcome> {
    this.logger.warn(`job ${job.job_id} failed (${err.code}) after ${err.attempts.length} provider call(s): ${err.message}`);
    await this.publisher.publish('job.failed', {
      job_id: job.job_id,
      tenant_id: job.tenant_id,
      attempt,
      failed_at: new Date().toISOString(),
      error: { code: err.code as Exclude<RoutingError['code'], 'cancelled'>, message: err.message },
      attempts_log: err.attempts,
    });
    return Outcome.ack();
  }

  /**
   * Anything but a routing verdict (the catalogue's own failures are already retried there) is unexpected and
   * possibly transient: retry the job later while the retry budget lasts, then fail it for good.
   */
  private async fail(job: JobRequested, attempt: number, ctx: DeliveryContext, err: Error): Promise<HandlerOutcome> {
    if (ctx.delivery.retries < this.config.broker.retryMaxAttempts) {
      this.logger.warn(`job ${job.job_id} attempt ${attempt} failed, retrying later: ${err.message}`);
      return Outcome.retry(err.message);
    }
    await this.publisher.publish('job.failed', {
      job_id: job.job_id,
      tenant_id: job.tenant_id,
      attempt,
      failed_at: new Date().toISOString(),
      error: { code: 'retries_exhausted', message: err.message },
    });
    return Outcome.ack();
  }
}
