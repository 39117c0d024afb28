import amqp from 'amqplib';
import { Client } from 'pg';
import { CLUSTER_KEYS, type Cluster } from '../../test/support/cluster.util';
import { percentile, round } from './stats.util';

/** The stages one synchronous completion goes through, as its job row, a listener on the broker and the client see them. */
export const STAGES = [
  'client → row created',
  'created → started',
  'started → completed',
  'completed → outcome on the broker',
  'outcome → end on the broker (persistence)',
  'end on the broker → answer',
  'provider call (worker)',
  'total',
] as const;
export type Stage = (typeof STAGES)[number];

/** Wall-clock milliseconds with a fraction, comparable with other processes' Date.now() on this machine. */
const nowMs = (): number => performance.timeOrigin + performance.now();

/**
 * Sends `requests` synchronous completions, one at a time, to the cluster's `/openai/v1/chat/completions` and splits
 * each by its job row's timestamps and by when a listener on the events exchange heard its messages:
 * - client → row created: HTTP, auth, validation, the insert;
 * - created → started: publish + confirm, the worker's take, `job.started`;
 * - started → completed: the provider call as the worker saw it (the worker stamps both);
 * - completed → outcome on the broker: the worker's outcome message reaching RabbitMQ's routing;
 * - outcome → end on the broker: persistence takes the outcome from its quorum queue, commits the row and publishes
 *   the terminal event (the hop that keeps a client from hearing of an end the row does not show);
 * - end on the broker → answer: the gateway's reply queue, the response, the client reading it.
 * Rows keep milliseconds, so read the row-based stages as ± 1 ms; the listener's own delivery adds a fraction of one.
 * Answers the p50 of each.
 */
export async function latencyStages(cluster: Cluster, requests: number, model = 'mock'): Promise<Record<Stage, number>> {
  const db = new Client({ connectionString: cluster.directDatabaseUrl });
  await db.connect();
  const connection = await amqp.connect(cluster.vhostBrokerUrl);
  try {
    const heard = await listenForEnds(connection);
    const stages = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<Stage, number[]>;
    for (let i = 0; i < requests; i++) {
      const sentAt = nowMs();
      const res = await fetch(`${cluster.gatewayUrl}/openai/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLUSTER_KEYS.alice}` },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: `stages ${i}` }] }),
      });
      await res.text();
      const answeredAt = nowMs();
      const jobId = res.headers.get('x-conveyor-job-id');
      const { rows } = await db.query<{ created_at: Date; started_at: Date; completed_at: Date; attempts_log: Array<{ latency_ms: number }> }>(
        'SELECT created_at, started_at, completed_at, attempts_log FROM jobs WHERE id = $1',
        [jobId],
      );
      const job = rows[0];
      if (!job?.completed_at) throw new Error(`request ${i}: no completed job row (answer ${res.status})`);
      const [outcomeAt, endAt] = await Promise.all([heard.at(`job.outcome.${jobId}`), heard.at(`job.completed.${jobId}`)]);
      stages['client → row created'].push(+job.created_at - sentAt);
      stages['created → started'].push(+job.started_at - +job.created_at);
      stages['started → completed'].push(+job.completed_at - +job.started_at);
      stages['completed → outcome on the broker'].push(outcomeAt - +job.completed_at);
      stages['outcome → end on the broker (persistence)'].push(endAt - outcomeAt);
      stages['end on the broker → answer'].push(answeredAt - endAt);
      stages['provider call (worker)'].push(job.attempts_log[0]?.latency_ms ?? Number.NaN);
      stages.total.push(answeredAt - sentAt);
    }
    return Object.fromEntries(STAGES.map((s) => [s, round(percentile(stages[s], 50))])) as Record<Stage, number>;
  } finally {
    await connection.close().catch(() => undefined);
    await db.end();
  }
}

/**
 * A queue of this process's own on the events exchange, bound to the outcomes and completions: `at(key)` answers when
 * the message with that routing key was heard (waiting for it up to 5 s: the answer can reach the client first).
 */
async function listenForEnds(connection: amqp.ChannelModel): Promise<{ at(routingKey: string): Promise<number> }> {
  const heard = new Map<string, number>();
  const channel = await connection.createChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  for (const pattern of ['job.outcome.*', 'job.completed.*']) await channel.bindQueue(queue, 'conveyor.events', pattern);
  await channel.consume(queue, (message) => message && heard.set(message.fields.routingKey, nowMs()), { noAck: true });
  return {
    async at(routingKey) {
      for (const deadline = Date.now() + 5_000; !heard.has(routingKey); await new Promise((r) => setTimeout(r, 1))) {
        if (Date.now() > deadline) throw new Error(`the listener on the events exchange never heard ${routingKey}`);
      }
      const at = heard.get(routingKey)!;
      heard.delete(routingKey);
      return at;
    },
  };
}
