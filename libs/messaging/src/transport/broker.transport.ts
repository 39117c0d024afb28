import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { DURABLE_TYPES, isMessageType, parseMessage } from '@conveyor/contracts';
import { extractTraceContext, withSpan } from '@conveyor/telemetry';
import type { BrokerClient, Delivery, Subscription } from '../broker-client.port';
import { isHandlerOutcome, Outcome, type HandlerOutcome } from '../handler-outcome';
import { CONSUMER_GROUPS, isSinkQueue, type ConsumerGroupName } from '../topology';
import { BandPuller } from './band-puller';
import { DeliveryContext } from './delivery.context';

export interface BrokerTransportOptions {
  group: ConsumerGroupName;
  /** Messages handled at once by this replica (the prefetch, for pushed queues). */
  concurrency: number;
  /** How often idle band workers poll when no wake-up came (retries re-enter bands without one). */
  idlePollMs: number;
  retryDelayMs: number;
  /** Handler retries before a message is dead-lettered. */
  retryMaxAttempts: number;
  /** How long close() waits for in-flight handlers before giving their messages back. */
  drainTimeoutMs?: number;
}

/**
 * The shared half of Conveyor's transport strategies: it consumes a consumer group's queues from a
 * BrokerClient, validates each message against the contracts' schema map, runs the `@EventPattern` handler
 * inside the message's trace context, and settles the message by the handler's explicit outcome.
 */
export abstract class BrokerTransport extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(this.constructor.name);
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly handlers = new Map<string, MessageHandler | null>();
  private readonly shutdown = new AbortController();
  private puller?: BandPuller;
  private stopping = false;

  constructor(
    protected readonly broker: BrokerClient,
    protected readonly options: BrokerTransportOptions,
  ) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      await this.broker.connect();
      const group = CONSUMER_GROUPS[this.options.group];
      if (group.mode === 'bands') {
        this.puller = new BandPuller(this.broker, group.queues, this.options, (d) => this.track(d));
        await this.puller.start();
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
    await this.puller?.stop();
    const drained = Promise.all([...this.inFlight]);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, this.options.drainTimeoutMs ?? 25_000).unref());
    await Promise.race([drained, timeout]);
    this.shutdown.abort();
    await Promise.all(this.subscriptions.splice(0).map((s) => s.cancel().catch(() => undefined)));
  }

  on(): never {
    throw new Error(`${this.constructor.name} emits no events`);
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  /** Runs one delivery to its end (handler + settlement); close() waits for these. */
  private track(delivery: Delivery): Promise<void> {
    // Prefetched after close() began: leave it unsettled, so cancelling the consumer returns it to the queue.
    if (this.stopping) return Promise.resolve();
    const run = this.dispatch(delivery).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return run;
  }

  private async dispatch(delivery: Delivery): Promise<void> {
    const outcome = await this.decide(delivery);
    try {
      await this.settle(delivery, outcome);
    } catch (err) {
      // The broker redelivers an unsettled message; handlers are idempotent.
      this.logger.warn(`could not settle ${delivery.type} ${delivery.messageId}: ${(err as Error).message}`);
    }
  }

  private async decide(delivery: Delivery): Promise<HandlerOutcome> {
    const { type } = delivery;
    if (!isMessageType(type)) return Outcome.deadLetter(`unknown message type "${String(type)}"`);
    let data: unknown;
    try {
      data = JSON.parse(delivery.body.toString('utf8'));
    } catch {
      return Outcome.deadLetter('body is not JSON');
    }
    const parsed = parseMessage(type, data);
    if (!parsed.ok) return Outcome.deadLetter(`invalid ${type}: ${parsed.error}`);
    const handler = this.handlerOf(type);
    if (!handler) return Outcome.deadLetter(`no handler for ${type} in ${this.options.group}`);
    const attributes = { 'messaging.system': this.broker.kind, 'messaging.destination.name': delivery.queue, 'messaging.message.id': delivery.messageId ?? '' };
    const run = async (): Promise<HandlerOutcome> => {
      const result = await handler(parsed.payload, new DeliveryContext([delivery, this.shutdown.signal]));
      const value: unknown = await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
      return isHandlerOutcome(value) ? value : Outcome.ack();
    };
    try {
      // Transient messages (stream chunks) get no consumer span, as they got no producer span (MessagePublisher).
      if (!DURABLE_TYPES.has(type)) return await run();
      return await withSpan(`${delivery.queue} process`, 'consumer', attributes, run, extractTraceContext(delivery.headers));
    } catch (err) {
      this.logger.error(`${type} handler threw: ${(err as Error).message}`);
      return Outcome.retry(`handler threw: ${(err as Error).message}`);
    }
  }

  /** Nest normalises the pattern on every lookup (a measurable share of a busy consumer's CPU): once per type is enough. */
  private handlerOf(type: string): MessageHandler | null {
    if (!this.handlers.has(type)) this.handlers.set(type, this.getHandlerByPattern(type));
    return this.handlers.get(type)!;
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
