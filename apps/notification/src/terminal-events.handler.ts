import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MessageTypes, type JobCancelled, type JobCompleted, type JobFailed } from '@conveyor/contracts';
import { Outcome, type HandlerOutcome } from '@conveyor/messaging';

/**
 * Consumes the terminal job events that webhooks will be sent for. Webhook delivery arrives with the
 * notification issue; until then the service records that it saw each event and acks it.
 */
@Controller()
export class TerminalEventsHandler {
  private readonly logger = new Logger(TerminalEventsHandler.name);

  @EventPattern(MessageTypes.JobCompleted)
  completed(@Payload() event: JobCompleted): HandlerOutcome {
    return this.seen('completed', event.job_id);
  }

  @EventPattern(MessageTypes.JobFailed)
  failed(@Payload() event: JobFailed): HandlerOutcome {
    return this.seen('failed', event.job_id);
  }

  @EventPattern(MessageTypes.JobCancelled)
  cancelled(@Payload() event: JobCancelled): HandlerOutcome {
    return this.seen('cancelled', event.job_id);
  }

  private seen(type: string, jobId: string): HandlerOutcome {
    this.logger.debug(`job ${jobId} ${type}: no webhook endpoints yet`);
    return Outcome.ack();
  }
}
