import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Ctx, Payload } from '@nestjs/microservices';
import { DatabaseUnavailableError, uuidv7, webhookRoutingKey, type JobCompleted, type JobRequested, type PriorityBand } from '@conveyor/contracts';
import { InProcessBrokerClient } from '../in-process/in-process-broker.client';
import { MessagePublisher } from '../message.publisher';
import { Outcome, type HandlerOutcome } from '../handler-outcome';
import { OnMessage } from '../inbound/on-message.decorator';
import { DEAD_LETTER_QUEUE } from '../topology';
import { InProcessTransport } from './in-process.transport';
import type { DeliveryContext } from './delivery.context';

/** What the test handlers do with each job, by the job's first message content. */
type Behaviour = 'ok' | 'throw' | 'dead-letter' | 'outage' | 'takes-10ms';
const seen: Array<{ content: string; priority: PriorityBand; deliveryCount: number }> = [];
const behaviour = new Map<string, Behaviour>();
const completed: string[] = [];
let waiters: Array<() => void> = [];
let releaseSlow: () => void = () => undefined;
let slowGate: Promise<void> = Promise.resolve();
const notify = () => waiters.splice(0).forEach((w) => w());

@Controller()
class TestHandlers {
  @OnMessage('inference', 'job.requested')
  async handle(@Payload() job: JobRequested, @Ctx() ctx: DeliveryContext): Promise<HandlerOutcome> {
    const content = job.messages[0]!.content as string;
    seen.push({ content, priority: job.priority, deliveryCount: ctx.deliveryCount });
    notify();
    const b = behaviour.get(content) ?? behaviour.get(content.replace(/-\d+$/, '')) ?? 'ok';
    if (b === 'takes-10ms') await new Promise((resolve) => setTimeout(resolve, 10));
    if (b === 'throw') throw new Error('boom');
    // A dependency outage that lasts for five deliveries: more than the retry budget of 2.
    if (b === 'outage') {
      // What a store throws while the database is down: the pipeline, not the handler, decides to wait.
      if (seen.filter((s) => s.content === content).length <= 5) throw new DatabaseUnavailableError(new Error('connect ECONNREFUSED'));
      return Outcome.ack();
    }
    return b === 'dead-letter' ? Outcome.deadLetter('told to') : Outcome.ack();
  }

  @OnMessage('notification', 'job.completed')
  async done(@Payload() event: JobCompleted): Promise<HandlerOutcome> {
    completed.push(event.job_id);
    notify();
    if (event.worker_id === 'slow') await slowGate;
    return Outcome.ack();
  }
}

@Module({ controllers: [TestHandlers] })
class TestModule {}

const job = (content: string, priority: PriorityBand): JobRequested => ({
  job_id: uuidv7(),
  tenant_id: 't',
  model: 'simulated',
  priority,
  shard: 0,
  messages: [{ role: 'user', content }],
  params: {},
  created_at: new Date().toISOString(),
});

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise<void>((resolve) => {
      waiters.push(resolve);
      setTimeout(resolve, 50);
    });
  }
}

describe('BrokerTransport over the in-process broker', () => {
  let broker: InProcessBrokerClient;
  let publisher: MessagePublisher;
  let app: Pick<INestMicroservice, 'close'> | undefined;

  const start = async (group: 'inference' | 'notification', concurrency = 1) => {
    const strategy = new InProcessTransport(broker, { group, concurrency, retryDelayMs: 5, retryMaxAttempts: 2 });
    const microservice = await NestFactory.createMicroservice(TestModule, { strategy, logger: false });
    await microservice.listen();
    app = microservice;
  };

  beforeEach(async () => {
    seen.length = 0;
    completed.length = 0;
    behaviour.clear();
    waiters = [];
    broker = new InProcessBrokerClient({ maxDeliveries: 3, retryTiersMs: [5] });
    await broker.connect();
    publisher = new MessagePublisher(broker);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await broker.close();
  });

  // Order holds among what the worker holds: a job shorter than a broker round trip can let a held lower-band job
  // overtake the next higher one the broker has not pushed yet (docs/intake-design.md), so these jobs take 10 ms.
  it('drains a backlog strictly high, then normal, then low', async () => {
    for (const band of ['low', 'normal', 'high']) behaviour.set(band, 'takes-10ms');
    for (let i = 0; i < 5; i += 1) await publisher.publish('job.requested', job(`low-${i}`, 'low'));
    for (let i = 0; i < 3; i += 1) await publisher.publish('job.requested', job(`normal-${i}`, 'normal'));
    for (let i = 0; i < 3; i += 1) await publisher.publish('job.requested', job(`high-${i}`, 'high'));
    await start('inference', 1);
    await until(() => seen.length === 11);
    expect(seen.map((s) => s.content)).toEqual(['high-0', 'high-1', 'high-2', 'normal-0', 'normal-1', 'normal-2', 'low-0', 'low-1', 'low-2', 'low-3', 'low-4']);
  });

  it('starts a job the moment it is published to an idle worker (pushed, no polling)', async () => {
    await start('inference', 2);
    await publisher.publish('job.requested', job('pushed', 'normal'));
    await until(() => seen.length === 1, 1_000);
    expect(seen[0]!.content).toBe('pushed');
  });

  it('dead-letters a message whose payload breaks the schema, without calling the handler', async () => {
    await start('inference', 1);
    await broker.publish({
      type: 'job.requested',
      exchange: 'conveyor.jobs',
      routingKey: 'job.requested.high.0',
      body: Buffer.from(JSON.stringify({ job_id: 'not-a-uuid' })),
      messageId: 'm1',
      headers: {},
      persistent: true,
    });
    await until(() => broker.deadLetters().length === 1);
    expect(seen).toHaveLength(0);
    expect(String(broker.deadLetters()[0]!.headers['x-conveyor-dead-reason'])).toMatch(/invalid job.requested: job_id/);
  });

  it('retries a handler that throws a bounded number of times, then dead-letters it', async () => {
    behaviour.set('poison', 'throw');
    await start('inference', 1);
    await publisher.publish('job.requested', job('poison', 'normal'));
    await until(() => broker.deadLetters().length === 1);
    expect(seen.filter((s) => s.content === 'poison')).toHaveLength(3); // first try + retryMaxAttempts (2)
    expect(String(broker.deadLetters()[0]!.headers['x-conveyor-dead-reason'])).toMatch(/retries exhausted \(2\): job.requested handler failed: boom/);
  });

  it('waits out a dependency outage longer than the retry budget without dead-lettering the message', async () => {
    behaviour.set('patient', 'outage');
    await start('inference', 1);
    await publisher.publish('job.requested', job('patient', 'normal'));
    await until(() => seen.filter((s) => s.content === 'patient').length === 6);
    await new Promise((resolve) => setTimeout(resolve, 50)); // a dead-letter, had there been one, is published at once
    expect(broker.deadLetters()).toHaveLength(0);
    expect(seen.filter((s) => s.content === 'patient').map((s) => s.deliveryCount)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('waits out a dependency outage in an app that also serves HTTP (every service is built that way)', async () => {
    behaviour.set('patient', 'outage');
    const strategy = new InProcessTransport(broker, { group: 'inference', concurrency: 1, retryDelayMs: 5, retryMaxAttempts: 2 });
    const hybrid = await NestFactory.create(TestModule, new FastifyAdapter(), { logger: false });
    hybrid.connectMicroservice({ strategy });
    await hybrid.startAllMicroservices();
    await hybrid.init();
    app = hybrid;
    await publisher.publish('job.requested', job('patient', 'normal'));
    await until(() => seen.filter((s) => s.content === 'patient').length === 6);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(broker.deadLetters()).toHaveLength(0);
  });

  it('dead-letters at once when the handler says so', async () => {
    behaviour.set('bad', 'dead-letter');
    await start('inference', 1);
    await publisher.publish('job.requested', job('bad', 'low'));
    await until(() => broker.deadLetters().length === 1);
    expect(seen).toHaveLength(1);
    expect(broker.deadLetters()[0]!.headers['x-conveyor-dead-reason']).toBe('told to');
  });

  const completedEvent = (workerId: string): JobCompleted => {
    const now = new Date().toISOString();
    return {
      job_id: uuidv7(),
      tenant_id: 't',
      attempt: 1,
      worker_id: workerId,
      started_at: now,
      completed_at: now,
      result: {
        message: { role: 'assistant', content: 'hi' },
        finish_reason: 'stop',
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        provider: 'simulated',
        model: 'simulated',
      },
    };
  };

  it('on close, lets an in-flight handler finish and settle before cancelling the consumer', async () => {
    slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    await start('notification', 1);
    const event = completedEvent('slow');
    await publisher.publish('job.completed', event, { cc: [webhookRoutingKey('job.completed')] });
    await until(() => completed.length === 1);
    const closing = app!.close();
    app = undefined;
    releaseSlow();
    await closing;
    // Settled (acked) rather than handed back: nothing waits in the queue to be processed a second time.
    expect(broker.depth('conveyor.notification')).toBe(0);
    expect(completed).toEqual([event.job_id]);
  });

  it('pushes event queues to their consumer group', async () => {
    await start('notification', 4);
    const event = completedEvent('w');
    await publisher.publish('job.completed', event, { cc: [webhookRoutingKey('job.completed')] });
    await until(() => completed.length === 1);
    expect(completed).toEqual([event.job_id]);
    expect(broker.depth(DEAD_LETTER_QUEUE)).toBe(0);
  });
});
