import amqp from 'amqplib';
import { Client } from 'pg';
import { testServerUrl } from '../../test/support/database.util';
import { deleteVhost, recreateVhost, runVhostName } from '../../test/support/vhost.util';
import { percentile, round } from './stats.util';

/** One round trip of a synchronous completion's critical path, timed alone at concurrency 1 (p50, ms). */
export interface Hop {
  name: string;
  p50Ms: number;
  /** How many times one synchronous completion crosses it. */
  perCompletion: number;
}

/**
 * The durable round trips a synchronous completion makes on its way through Conveyor, each timed alone against
 * the local PostgreSQL and RabbitMQ (a scratch table, and queues in a vhost of their own, removed after): the
 * job's insert; its message, and later its outcome, through a quorum queue to a waiting consumer (publish to
 * delivery); the outcome's update; the terminal event routed to the gateway's reply queue. What the sum leaves
 * over Conveyor's added latency is its own processing in four processes.
 */
export async function measureHops(n: number): Promise<Hop[]> {
  const p50 = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    return round(percentile(times, 50));
  };
  const hops: Hop[] = [];
  const db = new Client({ connectionString: testServerUrl() });
  await db.connect();
  const table = `hop_costs_${process.pid}`;
  try {
    await db.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, v jsonb)`);
    hops.push({
      name: 'PostgreSQL INSERT + commit',
      p50Ms: await p50(() => db.query(`INSERT INTO ${table} (v) VALUES ($1::jsonb)`, ['{"a":1}'])),
      perCompletion: 1,
    });
    hops.push({
      name: 'PostgreSQL UPDATE + commit',
      p50Ms: await p50(() => db.query(`UPDATE ${table} SET v = $1::jsonb WHERE id = 1`, ['{"b":2}'])),
      perCompletion: 1,
    });
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.end();
  }

  // noDelay as Conveyor's own connections: without it Nagle holds small frames ~40 ms behind an unacknowledged one.
  const vhost = runVhostName('hop_costs');
  const connection = await amqp.connect(await recreateVhost(vhost), { noDelay: true });
  try {
    const channel = await connection.createConfirmChannel();
    const quorum = `hop-costs.quorum.${process.pid}`;
    const exchange = `hop-costs.x.${process.pid}`;
    await channel.assertQueue(quorum, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: true });
    const { queue: routed } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(routed, exchange, 'k.#');
    const body = Buffer.alloc(600, 'x');
    let arrived: (() => void) | null = null;
    const consumer = (m: amqp.ConsumeMessage | null) => (m && channel.ack(m), arrived?.());
    await channel.consume(quorum, consumer);
    await channel.consume(routed, consumer);
    const delivered = (publish: () => void) => new Promise<void>((resolve) => ((arrived = resolve), publish()));
    hops.push({
      name: 'RabbitMQ persistent publish → consumer (quorum queue)',
      p50Ms: await p50(() => delivered(() => channel.sendToQueue(quorum, body, { persistent: true }))),
      perCompletion: 2,
    });
    hops.push({
      name: 'RabbitMQ persistent publish → consumer (routed to a classic queue)',
      p50Ms: await p50(() => delivered(() => channel.publish(exchange, 'k.0', body, { persistent: true }))),
      perCompletion: 1,
    });
    hops.push({
      name: 'RabbitMQ queue.bind (not on the path: one reply queue per gateway replica)',
      p50Ms: await p50(() => channel.bindQueue(routed, exchange, `b.${Math.random()}`)),
      perCompletion: 0,
    });
    await channel.deleteQueue(quorum);
  } finally {
    await connection.close();
    await deleteVhost(vhost);
  }
  return hops;
}

/** The sum of the hops one synchronous completion crosses, in ms. */
export function hopFloorMs(hops: readonly Hop[]): number {
  return round(hops.reduce((sum, h) => sum + h.p50Ms * h.perCompletion, 0));
}
