import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { webhookRoutingKey } from '@conveyor/contracts';
import { DEAD_LETTER_QUEUE, Exchanges } from '@conveyor/messaging';

/** A message published straight to a work queue's exchange, bypassing every publisher-side check. */
export interface PoisonMessage {
  label: string;
  exchange: string;
  routingKey: string;
  type: string;
  body: string;
  /** More routing keys (CC), as a publisher adds them. */
  cc?: string[];
  /** The queue whose consumer dead-letters it (`conveyor.jobs.` for any job shard). */
  deadFrom: string;
}

/** Whether a dead letter is (one copy of) the poison message, which carries its label as its message id. */
export function isDeadLetterOf(dead: DeadLetter, poison: PoisonMessage): boolean {
  return dead.messageId === poison.label;
}

/** The poison set: malformed, invalid, unknown and never-accepted job messages, an invalid terminal event and outcome. */
export function poisonMessages(): PoisonMessage[] {
  const job = (label: string, type: string, body: string): PoisonMessage => ({
    label,
    exchange: Exchanges.jobs,
    routingKey: 'job.requested.normal.0',
    type,
    body,
    deadFrom: 'conveyor.jobs.',
  });
  const ghost = randomUUID();
  return [
    job('job body not JSON', 'job.requested', '{"job_id": "unterminated'),
    job('job fails the schema', 'job.requested', JSON.stringify({ job_id: 'not-a-uuid', tenant_id: '', messages: [] })),
    job('unknown message type', 'job.exploded', JSON.stringify({ job_id: randomUUID() })),
    // Older than the publish timeout, so its gateway may have given up on it (answered 503, removed the row): the
    // worker reads the row before running it, finds none and dead-letters the message without a provider call.
    job(
      'job that was never accepted (no row)',
      'job.requested',
      JSON.stringify({
        job_id: ghost,
        tenant_id: 'tenant-alice',
        model: 'fast',
        priority: 'normal',
        shard: 0,
        messages: [{ role: 'user', content: 'ghost' }],
        params: {},
        created_at: new Date(Date.now() - 10 * 60_000).toISOString(),
      }),
    ),
    // A terminal event reaches conveyor.notification by the CC key its publisher adds for a job with a webhook
    // (persistence publishes them; it consumes outcomes).
    {
      label: 'terminal event fails the schema',
      exchange: Exchanges.events,
      routingKey: `job.completed.${randomUUID()}`,
      cc: [webhookRoutingKey('job.completed')],
      type: 'job.completed',
      body: JSON.stringify({ job_id: 'x', result: 42 }),
      deadFrom: 'conveyor.notification',
    },
    {
      label: 'worker outcome fails the schema',
      exchange: Exchanges.events,
      routingKey: `job.outcome.${randomUUID()}`,
      type: 'job.outcome',
      body: JSON.stringify({ type: 'job.completed', event: { job_id: 'x' } }),
      deadFrom: 'conveyor.persistence',
    },
  ].map((m, i) => ({ ...m, label: `${i}: ${m.label}` }));
}

/** Publishes the poison set (persistent, confirmed), each with its label as the message id. */
export async function publishPoison(brokerUrl: string, messages: PoisonMessage[]): Promise<void> {
  const connection = await connect(brokerUrl);
  try {
    const channel = await connection.createConfirmChannel();
    for (const m of messages)
      channel.publish(m.exchange, m.routingKey, Buffer.from(m.body), {
        type: m.type,
        messageId: m.label,
        persistent: true,
        mandatory: true,
        ...(m.cc && { CC: m.cc }),
      });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

export interface DeadLetter {
  messageId: string | undefined;
  type: string | undefined;
  reason: string;
  /** The delivery (from 1) a handler dead-lettered it on; null for the broker's own dead letters. */
  deadOnDelivery: number | null;
  /** The queue whose consumer (or whose delivery limit) dead-lettered it. */
  sourceQueue: string | undefined;
  body: string;
}

/**
 * Waits until `conveyor.dead` holds at least `expected` messages (or the deadline passes) and `quietMs` more, then takes them all
 * (the scenario's own vhost: nobody else reads them) and answers each with why it died.
 */
export async function drainDeadLetters(brokerUrl: string, expected: number, timeoutMs: number, quietMs = 2_000): Promise<DeadLetter[]> {
  const connection = await connect(brokerUrl);
  try {
    const channel = await connection.createChannel();
    const deadline = Date.now() + timeoutMs;
    while ((await channel.checkQueue(DEAD_LETTER_QUEUE)).messageCount < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    // Then a quiet moment, so a dead letter more than expected (a duplicate) is counted too, not left behind.
    await new Promise((r) => setTimeout(r, quietMs));
    const out: DeadLetter[] = [];
    for (let m = await channel.get(DEAD_LETTER_QUEUE, { noAck: true }); m; m = await channel.get(DEAD_LETTER_QUEUE, { noAck: true })) {
      const h = (m.properties.headers ?? {}) as Record<string, unknown>;
      const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : undefined);
      const onDelivery = h['x-conveyor-dead-on-delivery'];
      out.push({
        messageId: m.properties.messageId as string | undefined,
        type: m.properties.type as string | undefined,
        reason: text(h['x-conveyor-dead-reason']) ?? text(h['x-first-death-reason']) ?? 'unknown',
        deadOnDelivery: typeof onDelivery === 'number' ? onDelivery : null,
        sourceQueue: text(h['x-conveyor-source-queue']) ?? text(h['x-first-death-queue']),
        body: m.content.toString('utf8').slice(0, 300),
      });
    }
    return out;
  } finally {
    await connection.close();
  }
}
