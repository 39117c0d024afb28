import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MessageTypes, type WebhookDelivery } from '@conveyor/contracts';
import { isDatabaseUnavailable } from '@conveyor/database';
import { Outcome, type HandlerOutcome } from '@conveyor/messaging';
import { WebhookSenderService } from './delivery/webhook-sender.service';

/** Consumes `conveyor.webhooks`: one message, one attempt of one delivery; the outcome schedules the next. */
@Controller()
export class WebhookDeliveryHandler {
  private readonly logger = new Logger(WebhookDeliveryHandler.name);

  constructor(private readonly sender: WebhookSenderService) {}

  @EventPattern(MessageTypes.WebhookDelivery)
  async deliver(@Payload() message: WebhookDelivery): Promise<HandlerOutcome> {
    try {
      return await this.sender.attempt(message);
    } catch (err) {
      // A database error: the lease (if taken) expires, and the message comes back after the retry delay.
      this.logger.warn(`webhook delivery ${message.delivery_id} could not run, retrying: ${(err as Error).message}`);
      return Outcome.afterFailure(`webhook attempt failed to run: ${(err as Error).message}`, isDatabaseUnavailable(err));
    }
  }
}
