import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MessageTypes, type JobCancelled, type JobCompleted, type JobFailed, type JobStarted } from '@conveyor/contracts';
import { JOB_STORE, isDatabaseUnavailable, type JobStore } from '@conveyor/database';
import { Outcome, type HandlerOutcome } from '@conveyor/messaging';

/**
 * Projects job events onto the jobs table. Each transition is a conditional update, so redelivered,
 * duplicated or reordered events are harmless; a database error retries the event later instead of acking it,
 * and an unreachable database is waited out without spending the event's retry budget (nothing is dead-lettered
 * for an outage).
 */
@Controller()
export class JobEventsHandler {
  private readonly logger = new Logger(JobEventsHandler.name);

  constructor(@Inject(JOB_STORE) private readonly jobs: JobStore) {}

  @EventPattern(MessageTypes.JobStarted)
  started(@Payload() event: JobStarted): Promise<HandlerOutcome> {
    return this.apply('started', event.job_id, () => this.jobs.markStarted(event));
  }

  @EventPattern(MessageTypes.JobCompleted)
  completed(@Payload() event: JobCompleted): Promise<HandlerOutcome> {
    return this.apply('completed', event.job_id, () => this.jobs.markCompleted(event));
  }

  @EventPattern(MessageTypes.JobFailed)
  failed(@Payload() event: JobFailed): Promise<HandlerOutcome> {
    return this.apply('failed', event.job_id, () => this.jobs.markFailed(event));
  }

  @EventPattern(MessageTypes.JobCancelled)
  cancelled(@Payload() event: JobCancelled): Promise<HandlerOutcome> {
    return this.apply('cancelled', event.job_id, () => this.jobs.markCancelled(event));
  }

  private async apply(what: string, jobId: string, write: () => Promise<boolean>): Promise<HandlerOutcome> {
    try {
      const changed = await write();
      if (!changed) this.logger.debug(`job ${jobId}: ${what} changed nothing (duplicate or stale)`);
      return Outcome.ack();
    } catch (err) {
      return Outcome.afterFailure(`database: ${(err as Error).message}`, isDatabaseUnavailable(err));
    }
  }
}
