import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { PRIORITY_BANDS, jobRoutingKey } from '@conveyor/contracts';
import { DEFAULT_TOPOLOGY, Exchanges } from '@conveyor/messaging';

/**
 * Counts what Conveyor publishes: one transient queue bound to every exchange a service publishes to (each band
 * and shard key of the direct jobs exchange, `#` on the events topic, the dead-letter fanout). The retry exchanges
 * are left out (a healthy run publishes nothing there). `count()` drains it and
 * tallies messages by exchange and by message type (the routing key's first two words).
 */
export class BrokerTap {
  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: Channel,
    private readonly queue: string,
  ) {}

  static async open(brokerUrl: string): Promise<BrokerTap> {
    const connection = await amqp.connect(brokerUrl);
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, durable: false });
    for (const band of PRIORITY_BANDS) {
      for (let shard = 0; shard < DEFAULT_TOPOLOGY.jobShards; shard++) await channel.bindQueue(queue, Exchanges.jobs, jobRoutingKey(band, shard));
    }
    await channel.bindQueue(queue, Exchanges.events, '#');
    await channel.bindQueue(queue, Exchanges.deadLetter, '');
    return new BrokerTap(connection, channel, queue);
  }

  async count(): Promise<{ total: number; byType: Record<string, number> }> {
    const byType: Record<string, number> = {};
    let total = 0;
    for (let msg = await this.channel.get(this.queue, { noAck: true }); msg; msg = await this.channel.get(this.queue, { noAck: true })) {
      const key =
        msg.fields.exchange === Exchanges.events || msg.fields.exchange === Exchanges.jobs
          ? msg.fields.routingKey.split('.').slice(0, 2).join('.')
          : msg.fields.exchange;
      byType[key] = (byType[key] ?? 0) + 1;
      total++;
    }
    return { total, byType };
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
