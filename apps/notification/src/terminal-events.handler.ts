import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MessageTypes, type JobCancelled, type JobCompleted, type JobExpired, type JobFailed } from '@conveyor/contracts';
import { OnMessage } from '@conveyor/messaging';
import { WebhookFanoutService } from './delivery/webhook-fanout.service';

/**
 * Consumes the terminal job events and fans each out into webhook deliveries. Only the fanout happens here
 * (database writes and confirmed publishes, quick); the HTTP attempts run from `conveyor.webhooks`, so a
 * slow receiver never holds this queue. A failure throws and is retried: the fanout is idempotent.
 */
@Controller()
export class TerminalEventsHandler {
  constructor(private readonly fanout: WebhookFanoutService) {}

  @OnMessage('notification', MessageTypes.JobCompleted)
  async completed(@Payload() event: JobCompleted): Promise<void> {
    await this.fanout.fanOut({ type: 'job.completed', event });
  }

  @OnMessage('notification', MessageTypes.JobFailed)
  async failed(@Payload() event: JobFailed): Promise<void> {
    await this.fanout.fanOut({ type: 'job.failed', event });
  }

  @OnMessage('notification', MessageTypes.JobCancelled)
  async cancelled(@Payload() event: JobCancelled): Promise<void> {
    await this.fanout.fanOut({ type: 'job.cancelled', event });
  }

  @OnMessage('notification', MessageTypes.JobExpired)
  async expired(@Payload() event: JobExpired): Promise<void> {
    await this.fanout.fanOut({ type: 'job.expired', event });
  }
}
