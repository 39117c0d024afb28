import amqp from 'amqplib';
import { Client } from 'pg';
import { testServerUrl } from '../test/support/database.util';
import { deleteVhost, recreateVhost, runVhostName } from '../test/support/vhost.util';
import { writeToolReport } from './support/report.util';
import { percentile } from './support/stats.util';

/**
 * `npx tsx bench/hop-costs.ts`: the round trips a job's critical path is made of, each timed alone at concurrency
 * 1 against the local PostgreSQL and RabbitMQ (a scratch table, and queues in a vhost of its own, removed after).
 * Their sum is the floor of Conveyor's added latency on this machine before any of its own code runs. Writes
 * bench/report.hop-costs.md.
 */
async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 300);
  const p50 = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    return percentile(times, 50).toFixed(2);
  };
  const db = new Client({ connectionString: testServerUrl() });
  await db.connect();
  const table = `hop_costs_${process.pid}`;
  await db.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, v jsonb)`);
  const rows: Array<[string, string]> = [];
  rows.push(['PostgreSQL INSERT + commit', await p50(() => db.query(`INSERT INTO ${table} (v) VALUES ($1::jsonb)`, ['{"a":1}']))]);
  rows.push(['PostgreSQL SELECT by key', await p50(() => db.query(`SELECT v FROM ${table} WHERE id = 1`))]);
  await db.query(`DROP TABLE ${table}`);
  await db.end();

  // noDelay as Conveyor's own connections: without it Nagle holds small frames ~40 ms behind an unacknowledged one.
  const vhost = runVhostName('hop_costs');
  const connection = await amqp.connect(await recreateVhost(vhost), { noDelay: true });
  const channel = await connection.createConfirmChannel();
  const quorum = `hop-costs.quorum.${process.pid}`;
  const exchange = `hop-costs.x.${process.pid}`;
  await channel.assertQueue(quorum, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: true });
  const { queue: routed } = await channel.assertQueue('', { exclusive: true });
  const body = Buffer.alloc(600, 'x');
  const confirmed = (send: (done: (err: unknown) => void) => void) => new Promise<void>((resolve, reject) => send((err) => (err ? reject(err) : resolve())));
  rows.push([
    'RabbitMQ persistent publish + confirm (quorum queue)',
    await p50(() => confirmed((done) => channel.sendToQueue(quorum, body, { persistent: true }, done))),
  ]);
  rows.push(['RabbitMQ basic.get (a message waiting)', await p50(() => channel.get(quorum, { noAck: true }))]);
  rows.push(['RabbitMQ basic.get (empty queue)', await p50(() => channel.get(quorum, { noAck: true }))]);
  let k = 0;
  rows.push(['RabbitMQ queue.bind', await p50(() => channel.bindQueue(routed, exchange, `k.${k++}`))]);
  let arrived: (() => void) | null = null;
  await channel.consume(routed, (m) => (channel.ack(m!), arrived?.()));
  rows.push([
    'RabbitMQ publish → consumer (transient, routed)',
    await p50(() => new Promise<void>((resolve) => ((arrived = resolve), channel.publish(exchange, 'k.0', body)))),
  ]);
  await channel.deleteQueue(quorum);
  await connection.close();
  await deleteVhost(vhost);
  const report = [`| hop (p50 of ${n}, c=1) | ms |`, '|---|---|', ...rows.map(([name, ms]) => `| ${name} | ${ms} |`)];
  console.log(report.join('\n'));
  console.log(`wrote ${await writeToolReport('hop-costs', 'Round trips of the critical path, each alone', report)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
