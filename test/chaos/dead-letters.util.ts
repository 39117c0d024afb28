import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { DEAD_LETTER_QUEUE, Exchanges } from '../../libs/messaging/src/topology';

/** A message published straight to a work queue's exchange, bypassing every publisher-side check. */
export interface PoisonMessage {
  label: string;
  exchange: string;
  routingKey: string;
  type: string;
  body: string;
  /** Copies expected in `conveyor.dead` (one per consuming queue that dead-letters it). */
  copies: number;
}

/** The poison set: malformed, invalid, unknown and never-accepted job messages, and an invalid terminal event. */
export function poisonMessages(): PoisonMessage[] {
  const job = (label: string, type: string, body: string): PoisonMessage => ({ label, exchange: Exchanges.jobs, routingKey: 'job.requested.normal', type, body, copies: 1 });
  const ghost = randomUUID();
  return [
    job('job body not JSON', 'job.requested', '{"job_id": "unterminated'),
    job('job fails the schema', 'job.requested', JSON.stringify({ job_id: 'not-a-uuid', tenant_id: '', messages: [] })),
    job('unknown message type', 'job.exploded', JSON.stringify({ job_id: randomUUID() })),
    job('job that was never accepted (no row)', 'job.requested', JSON.stringify({
      job_id: ghost, tenant_id: 'tenant-alice', model: 'fast', priority: 'normal', messages: [{ role: 'user', content: 'ghost' }], params: {}, created_at: new Date().toISOString(),
    })),
    // Bound to conveyor.persistence and conveyor.notification: each consumer dead-letters its own copy.
    { label: 'terminal event fails the schema', exchange: Exchanges.events, routingKey: `job.completed.${randomUUID()}`, type: 'job.completed', body: JSON.stringify({ job_id: 'x', result: 42 }), copies: 2 },
  ].map((m, i) => ({ ...m, label: `${i}: ${m.label}` }));
}

/** Publishes the poison set (persistent, confirmed), each with its label as the message id. */
export async function publishPoison(brokerUrl: string, messages: PoisonMessage[]): Promise<void> {
  const connection = await connect(brokerUrl);
  try {
    const channel = await connection.createConfirmChannel();
    for (const m of messages) channel.publish(m.exchange, m.routingKey, Buffer.from(m.body), { type: m.type, messageId: m.label, persistent: true, mandatory: true });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

export interface DeadLetter {
  messageId: string | undefined;
  type: string | undefined;
  reason: string;
  /** The broker's delivery count when it died (quorum queues), if it carried one. */
  deliveryCount: number | null;
  body: string;
}

/**
 * Waits until `conveyor.dead` holds at least `expected` messages (or the deadline passes), then takes them all
 * (the scenario's own vhost: nobody else reads them) and answers each with why it died.
 */
export async function drainDeadLetters(brokerUrl: string, expected: number, timeoutMs: number): Promise<DeadLetter[]> {
  const connection = await connect(brokerUrl);
  try {
    const channel = await connection.createChannel();
    const deadline = Date.now() + timeoutMs;
    while ((await channel.checkQueue(DEAD_LETTER_QUEUE)).messageCount < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const out: DeadLetter[] = [];
    for (let m = await channel.get(DEAD_LETTER_QUEUE, { noAck: true }); m; m = await channel.get(DEAD_LETTER_QUEUE, { noAck: true })) {
      const h = (m.properties.headers ?? {}) as Record<string, unknown>;
      const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : undefined);
      const count = h['x-delivery-count'];
      out.push({
        messageId: m.properties.messageId as string | undefined,
        type: m.properties.type as string | undefined,
        reason: text(h['x-conveyor-dead-reason']) ?? text(h['x-first-death-reason']) ?? 'unknown',
        deliveryCount: typeof count === 'number' ? count : null,
        body: m.content.toString('utf8').slice(0, 300),
      });
    }
    return out;
  } finally {
    await connection.close();
  }
}
