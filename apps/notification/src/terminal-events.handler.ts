import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MessageTypes, type JobCancelled, type JobCompleted, type JobFailed } from '@conveyor/contracts';
import { isDatabaseUnavailable } from '@conveyor/database';
import { Outcome, type HandlerOutcome } from '@conveyor/messaging';
import type { TerminalEvent } from './delivery/job-snapshot.util';
import { WebhookFanoutService } from './delivery/webhook-fanout.service';

/**
 * Consumes the terminal job events and fans each out into webhook deliveries. Only the fanout happens here
 * (database writes and confirmed publishes, quick); the HTTP attempts run from `conveyor.webhooks`, so a
 * slow receiver never holds this queue. A failure is retried: the fanout is idempotent.
 */
@Controller()
export class TerminalEventsHandler {
  private readonly logger = new Logger(TerminalEventsHandler.name);

  constructor(private readonly fanout: WebhookFanoutService) {}

  @EventPattern(MessageTypes.JobCompleted)
  completed(@Payload() event: JobCompleted): Promise<HandlerOutcome> {
    return this.handle({ type: 'job.completed', event });
  }

  @EventPattern(MessageTypes.JobFailed)
  failed(@Payload() event: JobFailed): Promise<HandlerOutcome> {
    return this.handle({ type: 'job.failed', event });
  }

  @EventPattern(MessageTypes.JobCancelled)
  cancelled(@Payload() event: JobCancelled): Promise<HandlerOutcome> {
    return this.handle({ type: 'job.cancelled', event });
  }

  private async handle(terminal: TerminalEvent): Promise<HandlerOutcome> {
    try {
      await this.fanout.fanOut(terminal);
      return Outcome.ack();
    } catch (err) {
      this.logger.warn(`webhook fanout of ${terminal.type} ${terminal.event.job_id} failed, retrying: ${(err as Error).message}`);
      return Outcome.afterFailure(`webhook fanout failed: ${(err as Error).message}`, isDatabaseUnavailable(err));
    }
  }
}
