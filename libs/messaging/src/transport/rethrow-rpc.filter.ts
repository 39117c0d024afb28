import { Catch, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import type { Observable } from 'rxjs';

/**
 * Lets a message handler's error reach the inbound pipeline as it was thrown. Nest's default RPC filter would
 * replace it with `{status: 'error', message: 'Internal server error'}`, and the pipeline could no longer tell a
 * dependency outage (waited out) from a failure of the message (retried, then dead-lettered).
 */
@Catch()
export class RethrowRpcExceptionFilter implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<unknown> {
    throw exception;
  }
}
