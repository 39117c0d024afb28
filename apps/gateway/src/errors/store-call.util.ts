import type { Logger } from '@nestjs/common';
import { GatewayErrorCode, GatewayException } from './gateway.exception';

/**
 * Runs one database call of a request. The stores answer "not there" with null or false and throw only when
 * the database could not answer, so any error becomes what the jobs API answers then: 503
 * `database_unavailable` with Retry-After (see gateway-error.mapper.ts), never a 500 the client would not
 * retry. Only the driver's message is logged: the stores bind their parameters, so it holds no secret.
 */
export async function storeCall<T>(logger: Logger, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    logger.error(`database error: ${(err as Error).message}`);
    throw new GatewayException(GatewayErrorCode.DatabaseUnavailable, `The ${what} is unavailable; nothing was changed. Try again shortly.`);
  }
}
