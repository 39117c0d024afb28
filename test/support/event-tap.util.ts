import amqp, { type Channel, type ChannelModel } from 'amqplib';

export interface TappedEvent {
  type: string;
  routingKey: string;
  payload: Record<string, any>;
  headers: Record<string, unknown>;
}

/**
 * Listens on the events exchange from the outside, like another service would, to count what the system
 * really published (for example: exactly one job.completed per job).
 */
export class EventTap {
  readonly events: TappedEvent[] = [];
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
  ) {}

  static async open(url: string, patterns: string[], exchange = 'conveyor.events'): Promise<EventTap> {
    const connection = await amqp.connect(url);
    const channel = await connection.createChannel();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    for (const pattern of patterns) await channel.bindQueue(queue, exchange, pattern);
    const tap = new EventTap(connection, channel);
    await channel.consume(
      queue,
      (msg) => {
        if (!msg) return;
        const type = String(msg.properties.type);
        const payload = JSON.parse(msg.content.toString());
        const headers = msg.properties.headers ?? {};
        // Several jobs' chunks in one message: tapped as the job.delta of each, as a streaming replica hears them.
        if (type === 'job.deltas') {
          for (const chunk of payload.chunks) tap.events.push({ type: 'job.delta', routingKey: `job.delta.${chunk.job_id}`, payload: chunk, headers });
          return;
        }
        tap.events.push({ type, routingKey: msg.fields.routingKey, payload, headers });
      },
      { noAck: true },
    );
    return tap;
  }

  of(jobId: string, type?: string): TappedEvent[] {
    return this.events.filter((e) => e.payload.job_id === jobId && (!type || e.type === type));
  }

  /** Resolves once `predicate` holds over what was tapped so far. */
  async until(predicate: (events: TappedEvent[]) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (Date.now() > deadline) throw new Error(`tap: condition not met; saw ${this.events.map((e) => e.routingKey).join(', ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
