import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MessageTypes, type WebhookDelivery } from '@conveyor/contracts';
import { OnMessage, type HandlerOutcome } from '@conveyor/messaging';
import { WebhookSenderService } from './delivery/webhook-sender.service';

/**
 * Consumes `conveyor.webhooks`: one message, one attempt of one delivery; the outcome schedules the next. A
 * database error throws: the lease (if taken) expires, and the message comes back after the retry delay.
 */
@Controller()
export class WebhookDeliveryHandler {
  constructor(private readonly sender: WebhookSenderService) {}

  @OnMessage('notification', MessageTypes.WebhookDelivery)
  deliver(@Payload() message: WebhookDelivery): Promise<HandlerOutcome> {
    return this.sender.attempt(message);
  }
}
