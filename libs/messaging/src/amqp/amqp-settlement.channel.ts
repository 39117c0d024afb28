import type { Channel, Message } from 'amqplib';

/**
 * The channel a message came on, and whether it is still open. Delivery tags belong to their channel, so a
 * message can only be settled there; once that channel has closed the broker has already requeued the
 * message, and settling it is a no-op rather than an error.
 */
export class AmqpSettlementChannel {
  private open = true;

  constructor(private readonly channel: Channel) {
    channel.once('close', () => {
      this.open = false;
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  ack(message: Message): void {
    this.quietly(() => this.channel.ack(message));
  }

  requeue(message: Message): void {
    this.quietly(() => this.channel.nack(message, false, true));
  }

  /** amqplib throws on a channel that closed after the check; the broker redelivers the message then. */
  private quietly(settle: () => void): void {
    if (!this.open) return;
    try {
      settle();
    } catch {
      this.open = false;
    }
  }
}
