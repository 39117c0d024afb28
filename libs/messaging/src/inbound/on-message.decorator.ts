import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { MessageType } from '@conveyor/contracts';
import type { ConsumerGroupName } from '../topology';
import { RethrowRpcExceptionFilter } from '../transport/rethrow-rpc.filter';

/** The Nest pattern of a group's handler for a type: one process may host several groups (the embedded mode). */
export function handlerPattern(group: ConsumerGroupName, type: MessageType): string {
  return `${group}:${type}`;
}

/**
 * Marks a controller method as the handler of one message type for one consumer group:
 * `@OnMessage('persistence', MessageTypes.JobCompleted)`. Several groups may handle the same type (persistence and
 * notification both take `job.completed`); each group's transport runs only its own handler. What the handler
 * throws reaches the inbound pipeline unchanged (see RethrowRpcExceptionFilter), however the app was built.
 */
export function OnMessage(group: ConsumerGroupName, type: MessageType): MethodDecorator {
  return applyDecorators(EventPattern(handlerPattern(group, type)), UseFilters(new RethrowRpcExceptionFilter()));
}
