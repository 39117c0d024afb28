import type { Logger } from '@nestjs/common';
import type { MessageType } from '@conveyor/contracts';
import type { BroadcastMessage } from '../broker-client.port';
import { InboundPipeline, type InboundHandler } from './inbound.pipeline';

/** Typed handlers of a broadcast listener, by message type. */
export type ListenerHandlers = { [T in MessageType]?: InboundHandler<T> };

/**
 * A broadcast or routed listener's message callback, through the inbound pipeline: types without a handler are
 * ignored, invalid messages dropped with a warning, and a handler's failure logged (a broadcast is not settled,
 * so there is nothing to retry).
 */
export function listenerOf(handlers: ListenerHandlers, logger: Pick<Logger, 'warn' | 'error'>, system: string): (message: BroadcastMessage) => void {
  const pipeline = new InboundPipeline({ system, logger, unhandled: 'ignore', spans: false });
  const handlerOf = (type: MessageType) => (handlers[type] as InboundHandler | undefined) ?? null;
  return (message) => {
    void pipeline.run(message, handlerOf).then((outcome) => {
      if (outcome.action !== 'ack') logger.warn(`dropped a ${String(message.type)} broadcast: ${outcome.reason}`);
    });
  };
}
