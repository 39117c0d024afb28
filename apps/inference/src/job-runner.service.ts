import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { isTerminal, type JobRequested, type JobResult } from '@conveyor/contracts';
import { JOB_STORE, type JobStore } from '@conveyor/database';
import { MessagePublisher, Outcome, type DeliveryContext, type HandlerOutcome } from '@conveyor/messaging';
import { LLM_PROVIDER, ProviderError, type LlmProvider } from './providers/llm-provider.port';

/**
 * Runs one delivered job: skips it if it was cancelled or already finished, announces the start, streams the
 * provider's deltas, and publishes the terminal event. The message is acked (by the returned outcome) only
 * after that terminal event is confirmed, so a worker killed at any moment leaves the job to be redelivered.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);

  constructor(
    @Inject(LLM_PROVIDER) private readonly provider: LlmProvider,
    @Inject(JOB_STORE) private readonly jobs: JobStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly publisher: MessagePublisher,
  ) {}

  async run(job: JobRequested, ctx: DeliveryContext): Promise<HandlerOutcome> {
    const status = await this.jobs.statusOf(job.job_id).catch(() => undefined);
    if (status === undefined) return Outcome.retry('job store unavailable');
    if (status === null) return Outcome.deadLetter(`job ${job.job_id} has no row: it was never accepted`);
    if (isTerminal(status)) {
      this.logger.log(`job ${job.job_id} is ${status}; not running it`);
      return Outcome.ack();
    }
    const attempt = ctx.delivery.retries + ctx.deliveryCount;
    const workerId = this.config.worker.id;
    const startedAt = new Date().toISOString();
    await this.publisher.publish('job.started', { job_id: job.job_id, tenant_id: job.tenant_id, attempt, worker_id: workerId, started_at: startedAt });

    let result: JobResult;
    try {
      result = await this.generate(job, attempt, ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) return Outcome.retry('worker shutting down', 0);
      return this.fail(job, attempt, ctx, err as Error);
    }
    await this.publisher.publish('job.completed', {
      job_id: job.job_id,
      tenant_id: job.tenant_id,
      attempt,
      worker_id: workerId,
      started_at: startedAt,
      completed_at: new Date().toISOString(),
      result,
    });
    return Outcome.ack();
  }

  private async generate(job: JobRequested, attempt: number, signal: AbortSignal): Promise<JobResult> {
    let text = '';
    let seq = 0;
    for await (const chunk of this.provider.stream({ model: job.model, messages: job.messages, params: job.params }, signal)) {
      if (chunk.type === 'delta') {
        text += chunk.content;
        // Deltas are transient: a lost one is recovered from the final text, never worth holding up generation.
        this.publisher
          .publish('job.delta', { job_id: job.job_id, tenant_id: job.tenant_id, attempt, seq: seq++, content: chunk.content })
          .catch(() => undefined);
        continue;
      }
      return {
        message: { role: 'assistant', content: text },
        finish_reason: chunk.finishReason,
        usage: chunk.usage,
        provider: this.provider.name,
        model: job.model,
      };
    }
    throw new ProviderError(`${this.provider.name} ended the stream without finishing`, true);
  }

  /** Retries a transient failure while the retry budget lasts; otherwise fails the job for good. */
  private async fail(job: JobRequested, attempt: number, ctx: DeliveryContext, err: Error): Promise<HandlerOutcome> {
    const retryable = err instanceof ProviderError ? err.retryable : true;
    if (retryable && ctx.delivery.retries < this.config.broker.retryMaxAttempts) {
      this.logger.warn(`job ${job.job_id} attempt ${attempt} failed, retrying later: ${err.message}`);
      return Outcome.retry(err.message);
    }
    await this.publisher.publish('job.failed', {
      job_id: job.job_id,
      tenant_id: job.tenant_id,
      attempt,
      failed_at: new Date().toISOString(),
      error: { code: retryable ? 'retries_exhausted' : 'provider_error', message: err.message },
    });
    return Outcome.ack();
  }
}
