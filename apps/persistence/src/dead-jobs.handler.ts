import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { MessageTypes, type JobErrorCode, type JobRequested } from '@conveyor/contracts';
import { DEAD_LETTER_STORE, type DeadLetterStore } from '@conveyor/database';
import { OnMessage, type DeliveryContext } from '@conveyor/messaging';
import { jsonHeaders } from './dead-letters/json-headers.util';
import { OutcomeRecorder } from './recording/outcome.recorder';

/**
 * A job message reaches persistence only as a dead letter (its copy in `conveyor.persistence.dead`): it
 * crashed workers past the delivery limit, or a handler gave up on it. The job is marked failed, so a caller
 * polling it sees an end instead of `running` forever, and its failure is announced like any other. A job that
 * already ended is left as it is. The dead letter itself is recorded first (`dead_letters`, once per message id), with
 * its reason and headers, for the admin API to list, replay into the job's band, or discard.
 */
@Controller()
export class DeadJobsHandler {
  private readonly logger = new Logger(DeadJobsHandler.name);

  constructor(
    private readonly outcomes: OutcomeRecorder,
    @Inject(DEAD_LETTER_STORE) private readonly deadLetters: DeadLetterStore,
  ) {}

  @OnMessage('persistence', MessageTypes.JobRequested)
  async dead(@Payload() job: JobRequested, @Ctx() ctx: DeliveryContext): Promise<void> {
    const reason = deadReason(ctx.delivery.headers);
    const code: JobErrorCode = /delivery_limit|retries exhausted|crash loop/.test(reason) ? 'retries_exhausted' : 'internal_error';
    this.logger.warn(`job ${job.job_id} dead-lettered (${reason}): failing it unless it already ended`);
    const { headers, messageId } = ctx.delivery;
    await this.deadLetters.record({
      messageId: messageId ?? null,
      jobId: job.job_id,
      tenantId: job.tenant_id,
      type: MessageTypes.JobRequested,
      priority: job.priority,
      sourceQueue: headerText(headers['x-conveyor-source-queue']) ?? headerText(headers['x-first-death-queue']) ?? null,
      reason,
      headers: jsonHeaders(headers),
      payload: job,
    });
    const event = {
      job_id: job.job_id,
      tenant_id: job.tenant_id,
      attempt: 1,
      failed_at: new Date().toISOString(),
      error: { code, message: `The job's message was dead-lettered before it finished (${reason}).` },
    };
    // A dead job with no row has nothing to fail; this queue is a sink, so it is dropped (its copy stays in conveyor.dead).
    await this.outcomes.record({ type: 'job.failed', event, ...(job.reply_to && { reply_to: job.reply_to }) });
  }
}

const headerText = (v: unknown): string | undefined => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : undefined);

/** Ours (`x-conveyor-dead-reason`) for handler dead letters, the broker's (`x-first-death-reason`) otherwise. */
function deadReason(headers: Record<string, unknown>): string {
  return (headerText(headers['x-conveyor-dead-reason']) ?? headerText(headers['x-first-death-reason']) ?? 'unknown').slice(0, 300);
}
