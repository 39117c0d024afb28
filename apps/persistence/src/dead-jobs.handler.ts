import { Controller, Inject, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { MessageTypes, type JobErrorCode, type JobRequested } from '@conveyor/contracts';
import { JOB_STORE, isDatabaseUnavailable, type JobStore } from '@conveyor/database';
import { Outcome, type DeliveryContext, type HandlerOutcome } from '@conveyor/messaging';

/**
 * A job message reaches persistence only as a dead letter (its copy in `conveyor.persistence.dead`): it
 * crashed workers past the delivery limit, or a handler gave up on it. The job is marked failed, so a caller
 * polling it sees an end instead of `running` forever. A job that already ended is left as it is.
 */
@Controller()
export class DeadJobsHandler {
  private readonly logger = new Logger(DeadJobsHandler.name);

  constructor(@Inject(JOB_STORE) private readonly jobs: JobStore) {}

  @EventPattern(MessageTypes.JobRequested)
  async dead(@Payload() job: JobRequested, @Ctx() ctx: DeliveryContext): Promise<HandlerOutcome> {
    const reason = deadReason(ctx.delivery.headers);
    const code: JobErrorCode = /delivery_limit|retries exhausted/.test(reason) ? 'retries_exhausted' : 'internal_error';
    try {
      const changed = await this.jobs.markFailed({
        job_id: job.job_id,
        tenant_id: job.tenant_id,
        attempt: 1,
        failed_at: new Date().toISOString(),
        error: { code, message: `The job's message was dead-lettered before it finished (${reason}).` },
      });
      if (changed) this.logger.warn(`job ${job.job_id} failed: dead-lettered (${reason})`);
      return Outcome.ack();
    } catch (err) {
      return Outcome.afterFailure(`database: ${(err as Error).message}`, isDatabaseUnavailable(err));
    }
  }
}

/** Ours (`x-conveyor-dead-reason`) for handler dead letters, the broker's (`x-first-death-reason`) otherwise. */
function deadReason(headers: Record<string, unknown>): string {
  const ours = headers['x-conveyor-dead-reason'];
  const broker = headers['x-first-death-reason'];
  const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : undefined);
  return (text(ours) ?? text(broker) ?? 'unknown').slice(0, 300);
}
