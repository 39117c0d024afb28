import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DependencyUnavailableError } from '@conveyor/contracts';
import { ConveyorException, ErrorCode } from './conveyor.exception';
import { fromFrameworkError, mapException } from './error.mapper';

/**
 * Turns anything thrown while serving a request into OpenAI's error shape; never leaks a stack or a key. Only HTTP
 * requests: in a process that also consumes messages, a handler's error belongs to the message pipeline.
 */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType() !== 'http') throw exception;
    sendError(host.switchToHttp().getResponse<FastifyReply>(), toConveyorException(exception, this.logger));
    return undefined;
  }
}

export function toConveyorException(exception: unknown, logger: Pick<Logger, 'error'>): ConveyorException {
  if (exception instanceof ConveyorException) return exception;
  if (exception instanceof DependencyUnavailableError) {
    if (exception.dependency === 'broker') return new ConveyorException(ErrorCode.BrokerUnavailable, 'The queue is unavailable; try again shortly.');
    // Only the driver's message is logged: the stores bind their parameters, so it holds no secret.
    logger.error(exception.message);
    return new ConveyorException(ErrorCode.DatabaseUnavailable, 'The database is unavailable; nothing was changed. Try again shortly.');
  }
  if (exception instanceof HttpException) {
    return fromFrameworkError({ status: exception.getStatus(), message: exception.message });
  }
  const err = exception as { code?: string; statusCode?: number; message?: string; name?: string };
  if (typeof err?.statusCode === 'number' && err.statusCode < 500) return fromFrameworkError(err);
  logger.error(`unhandled ${err?.name ?? 'error'}: ${err?.message ?? String(exception)}`);
  return new ConveyorException(ErrorCode.Internal, 'Internal server error.');
}

export function sendError(reply: FastifyReply, exception: ConveyorException): void {
  const { status, headers, body } = mapException(exception);
  void reply.status(status).headers(headers).type('application/json').send(body);
}
