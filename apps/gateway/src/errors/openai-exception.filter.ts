import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BrokerUnavailableError } from '@conveyor/messaging';
import { fromFrameworkError, mapGatewayException } from './gateway-error.mapper';
import { GatewayErrorCode, GatewayException } from './gateway.exception';

/** Turns anything thrown while serving a request into OpenAI's error shape; never leaks a stack or a key. */
@Catch()
export class OpenAiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    sendError(reply, toGatewayException(exception, this.logger));
  }
}

export function toGatewayException(exception: unknown, logger: Logger): GatewayException {
  if (exception instanceof GatewayException) return exception;
  if (exception instanceof BrokerUnavailableError) {
    return new GatewayException(GatewayErrorCode.BrokerUnavailable, 'The queue is unavailable; try again shortly.');
  }
  if (exception instanceof HttpException) {
    return fromFrameworkError({ status: exception.getStatus(), message: exception.message });
  }
  const err = exception as { code?: string; statusCode?: number; message?: string; name?: string };
  if (typeof err?.statusCode === 'number' && err.statusCode < 500) return fromFrameworkError(err);
  logger.error(`unhandled ${err?.name ?? 'error'}: ${err?.message ?? String(exception)}`);
  return new GatewayException(GatewayErrorCode.Internal, 'Internal server error.');
}

export function sendError(reply: FastifyReply, exception: GatewayException): void {
  const { status, headers, body } = mapGatewayException(exception);
  void reply.status(status).headers(headers).type('application/json').send(body);
}
