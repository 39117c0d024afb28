/** A message at rest in an in-process queue. */
export interface StoredMessage {
  type: string;
  body: Buffer;
  messageId: string;
  routingKey: string;
  headers: Record<string, unknown>;
  /** Deliveries so far (0 before the first). */
  deliveries: number;
}

export interface QueueConsumer {
  prefetch: number;
  unsettled: number;
  deliver(message: StoredMessage): void;
}

/** One queue of the in-process broker: FIFO, with consumers served round-robin within their prefetch. */
export class InProcessQueue {
  readonly ready: StoredMessage[] = [];
  readonly consumers: QueueConsumer[] = [];
  private next = 0;
  private pumping = false;

  constructor(
    readonly name: string,
    readonly deliveryLimit: number | null,
  ) {}

  enqueue(message: StoredMessage): void {
    this.ready.push(message);
    this.schedulePump();
  }

  /** Puts a message back at the head, as RabbitMQ does for a message returned unsettled. */
  requeue(message: StoredMessage): void {
    this.ready.unshift(message);
    this.schedulePump();
  }

  schedulePump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.ready.length > 0) {
      const consumer = this.nextFreeConsumer();
      if (!consumer) return;
      consumer.unsettled += 1;
      consumer.deliver(this.ready.shift()!);
    }
  }

  private nextFreeConsumer(): QueueConsumer | undefined {
    for (let i = 0; i < this.consumers.length; i += 1) {
      const consumer = this.consumers[(this.next + i) % this.consumers.length]!;
      if (consumer.unsettled < consumer.prefetch) {
        this.next = (this.next + i + 1) % this.consumers.length;
        return consumer;
      }
    }
    return undefined;
  }
}
