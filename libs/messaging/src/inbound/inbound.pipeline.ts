import type { Logger } from '@nestjs/common';
import { DependencyUnavailableError, DURABLE_TYPES, isMessageType, parseMessage, type MessagePayload, type MessageType } from '@conveyor/contracts';
import { extractTraceContext, withJobId, withSpan } from '@conveyor/telemetry';
import { isHandlerOutcome, Outcome, type HandlerOutcome } from '../handler-outcome';

/** What the pipeline needs of a message, whether it came from a work queue or a broadcast. */
export interface InboundMessage {
  /** The AMQP `type` property: the message type, untrusted until validated. */
  type: string | undefined;
  body: Buffer;
  headers: Record<string, unknown>;
  messageId?: string;
  /** The queue it was taken from; absent for broadcasts. */
  queue?: string;
}

/** Runs one validated message; answers an outcome, or nothing (which means ack). */
export type InboundHandler<T extends MessageType = MessageType> = (payload: MessagePayload<T>) => Promise<unknown> | unknown;

export interface InboundPipelineOptions {
  /** `amqp` or `in-process`, for span attributes. */
  system: string;
  logger: Pick<Logger, 'warn' | 'error'>;
  /**
   * What a message of a type with no handler comes to: a work queue dead-letters it (nobody here will ever
   * handle it); a broadcast listener ignores it (it hears every type its binding matches).
   */
  unhandled: 'dead-letter' | 'ignore';
  /** Consumer spans for durable messages (work queues). Broadcasts carry no span of their own. */
  spans: boolean;
}

/**
 * The one way every inbound message is handled — by the work-queue transports and by the routed and broadcast
 * listeners alike: decode, validate against the contracts' schema map, continue the publisher's trace, run the
 * handler with its job's id in the log context, and turn what it did into an outcome. A handler that throws is retried; one that throws because a
 * dependency is unreachable (DependencyUnavailableError, raised by the adapters) waits for it without spending
 * the message's retry budget, so an outage of any length dead-letters nothing. Settling is the caller's part.
 */
export class InboundPipeline {
  constructor(private readonly options: InboundPipelineOptions) {}

  async run(message: InboundMessage, handlerOf: (type: MessageType) => InboundHandler | null): Promise<HandlerOutcome> {
    const { type } = message;
    if (!isMessageType(type)) return this.unhandled(`unknown message type "${String(type)}"`);
    let data: unknown;
    try {
      data = JSON.parse(message.body.toString('utf8'));
    } catch {
      return Outcome.deadLetter('body is not JSON');
    }
    const parsed = parseMessage(type, data);
    if (!parsed.ok) return Outcome.deadLetter(`invalid ${type}: ${parsed.error}`);
    const handler = handlerOf(type);
    if (!handler) return this.unhandled(`no handler for ${type}`);
    const invoke = async (): Promise<HandlerOutcome> => {
      const result = await handler(parsed.payload);
      return isHandlerOutcome(result) ? result : Outcome.ack();
    };
    const handle = async (): Promise<HandlerOutcome> => {
      try {
        if (!this.options.spans || !DURABLE_TYPES.has(type)) return await invoke();
        const attributes = {
          'messaging.system': this.options.system,
          'messaging.destination.name': message.queue ?? '',
          'messaging.message.id': message.messageId ?? '',
        };
        return await withSpan(`${message.queue ?? type} process`, 'consumer', attributes, invoke, extractTraceContext(message.headers));
      } catch (err) {
        return this.afterThrow(type, err);
      }
    };
    // Every line the handler (and its failure) logs names the job; the id is the payload's own string, nothing is built.
    const jobId = (parsed.payload as { job_id?: unknown }).job_id;
    return typeof jobId === 'string' ? withJobId(jobId, handle) : handle();
  }

  private afterThrow(type: MessageType, err: unknown): HandlerOutcome {
    const reason = `${type} handler failed: ${(err as Error)?.message ?? String(err)}`;
    if (err instanceof DependencyUnavailableError) {
      this.options.logger.warn(`${reason}; waiting for the ${err.dependency}`);
      return Outcome.waitForDependency(reason);
    }
    this.options.logger.error(reason);
    return Outcome.retry(reason);
  }

  private unhandled(reason: string): HandlerOutcome {
    return this.options.unhandled === 'ignore' ? Outcome.ack() : Outcome.deadLetter(reason);
  }
}
