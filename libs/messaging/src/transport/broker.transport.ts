import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { MessageType } from '@conveyor/contracts';
import type { BrokerClient, Delivery, Subscription } from '../broker-client.port';
import type { HandlerOutcome } from '../handler-outcome';
import { InboundPipeline, type InboundHandler } from '../inbound/inbound.pipeline';
import { handlerPattern } from '../inbound/on-message.decorator';
import { consumerGroups, DEFAULT_TOPOLOGY, isSinkQueue, type ConsumerGroupName, type TopologyOptions } from '../topology';
import { JobScheduler, type JobSlot } from './job-scheduler';
import { DeliveryContext } from './delivery.context';

/** See JobScheduler: long enough that fast jobs never pause a worker, short next to an LLM call. */
const DEFAULT_HOLD_MS = 250;

export interface BrokerTransportOptions {
  group: ConsumerGroupName;
  /** Messages handled at once by this replica (the prefetch, for pushed queues). */
  concurrency: number;
  /** Job queues: deliveries each shard may push ahead of acks (default: the concurrency + 1, see JobScheduler). */
  prefetch?: number;
  /** Job queues: how long a held job may wait for a busy worker's slot before it stops taking more. */
  holdMs?: number;
  /** The shard queues there are (the same in every service). */
  topology?: TopologyOptions;
  retryDelayMs: number;
  /** Handler retries before a message is dead-lettered. */
  retryMaxAttempts: number;
  /** How long close() waits for in-flight handlers before giving their messages back. */
  drainTimeoutMs?: number;
}

/**
 * The shared half of Conveyor's transport strategies: it consumes a consumer group's queues from a
 * BrokerClient, runs each message through the inbound pipeline to the group's `@OnMessage` handler, and
 * settles the message by the outcome.
 */
export abstract class BrokerTransport extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(this.constructor.name);
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly handlers = new Map<MessageType, MessageHandler | null>();
  private readonly pipeline: InboundPipeline;
  private readonly shutdown = new AbortController();
  private scheduler?: JobScheduler;
  private stopping = false;

  constructor(
    protected readonly broker: BrokerClient,
    protected readonly options: BrokerTransportOptions,
  ) {
    super();
    this.pipeline = new InboundPipeline({ system: broker.kind, logger: this.logger, unhandled: 'dead-letter', spans: true });
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.broker.connect();
      const group = consumerGroups(this.options.topology ?? DEFAULT_TOPOLOGY)[this.options.group];
      if (group.mode === 'jobs') {
        const { concurrency, prefetch = concurrency + 1, holdMs = DEFAULT_HOLD_MS } = this.options;
        this.scheduler = new JobScheduler(this.broker, group.queues, { concurrency, prefetch, holdMs }, (d, slot) => this.track(d, slot));
        await this.scheduler.start();
      } else {
        for (const queue of group.queues) {
          this.subscriptions.push(await this.broker.consume(queue, this.options.concurrency, (d) => void this.track(d)));
        }
      }
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /**
   * Graceful stop: take nothing new, let in-flight handlers finish and settle (up to the drain timeout, then
   * abort them), and only then cancel the consumers, which hands back whatever was prefetched but not started.
   */
  async close(): Promise<void> {
    this.stopping = true;
    await this.scheduler?.stop();
    const drained = Promise.all([...this.inFlight]);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, this.options.drainTimeoutMs ?? 25_000).unref());
    await Promise.race([drained, timeout]);
    this.shutdown.abort();
    await this.scheduler?.cancel();
    await Promise.all(this.subscriptions.splice(0).map((s) => s.cancel().catch(() => undefined)));
  }

  on(): never {
    throw new Error(`${this.constructor.name} emits no events`);
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  /** Runs one delivery to its end (handler + settlement); close() waits for these. */
  private track(delivery: Delivery, slot?: JobSlot): Promise<void> {
    // Prefetched after close() began: leave it unsettled, so cancelling the consumer returns it to the queue.
    if (this.stopping) return Promise.resolve();
    const run = this.dispatch(delivery, slot).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return run;
  }

  private async dispatch(delivery: Delivery, slot?: JobSlot): Promise<void> {
    const outcome = await this.pipeline.run(delivery, (type) => this.handlerOf(type, delivery, slot));
    try {
      await this.settle(delivery, outcome);
    } catch (err) {
      // The broker redelivers an unsettled message; handlers are idempotent.
      this.logger.warn(`could not settle ${delivery.type} ${delivery.messageId}: ${(err as Error).message}`);
    }
  }

  /**
   * This group's handler for a type, bound to the delivery's context. Looked up once per type: Nest normalises
   * the pattern on every lookup, a measurable share of a busy consumer's CPU.
   */
  private handlerOf(type: MessageType, delivery: Delivery, slot?: JobSlot): InboundHandler | null {
    if (!this.handlers.has(type)) this.handlers.set(type, this.getHandlerByPattern(handlerPattern(this.options.group, type)));
    const handler = this.handlers.get(type);
    if (!handler) return null;
    const ctx = new DeliveryContext([delivery, this.shutdown.signal, slot]);
    return async (payload) => lastValueFrom(this.transformToObservable(await handler(payload, ctx)), { defaultValue: undefined });
  }

  private async settle(delivery: Delivery, outcome: HandlerOutcome): Promise<void> {
    if (outcome.action === 'ack') return delivery.ack();
    if (outcome.action === 'retry' && outcome.unbudgeted) {
      return delivery.retryLater(outcome.delayMs ?? this.options.retryDelayMs, outcome.reason, false);
    }
    if (outcome.action === 'retry' && delivery.retries < this.options.retryMaxAttempts) {
      return delivery.retryLater(outcome.delayMs ?? this.options.retryDelayMs, outcome.reason);
    }
    const reason = outcome.action === 'retry' ? `retries exhausted (${delivery.retries}): ${outcome.reason}` : outcome.reason;
    if (isSinkQueue(delivery.queue)) {
      // Dead-lettering from a dead-letter sink would loop through the fanout; the copy in conveyor.dead remains.
      this.logger.warn(`dropping ${delivery.type ?? 'message'} ${delivery.messageId ?? ''} from ${delivery.queue}: ${reason}`);
      return delivery.ack();
    }
    this.logger.warn(`dead-lettering ${delivery.type ?? 'message'} ${delivery.messageId ?? ''}: ${reason}`);
    return delivery.deadLetter(reason);
  }
}
