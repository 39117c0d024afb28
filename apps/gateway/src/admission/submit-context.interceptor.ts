import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { ConveyorException, ErrorCode, type AuthenticatedRequest } from '@conveyor/http';
import { IdempotencyService } from './idempotency.service';
import { IdempotentReplay, type StoredAnswer } from './idempotent-replay';
import { requestFingerprint } from './request-fingerprint.util';
import { SubmitContext, type SubmitRequest } from './submit-context';

/**
 * Runs every POST inside a SubmitContext, so that a submit anywhere beneath its handler sees the request's key,
 * route and Idempotency-Key — whichever route it is, now or added later. Once the handler is done it settles the
 * idempotency key the request claimed, if any, and it answers a replay with the first request's stored answer.
 */
@Injectable()
export class SubmitContextInterceptor implements NestInterceptor {
  constructor(
    private readonly context: SubmitContext,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    if (request.method !== 'POST') return next.handle();
    const reply = http.getResponse<FastifyReply>();
    const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
    const submit: SubmitRequest = {
      apiKeyHash: request.apiKeyHash ?? null,
      route: request.routeOptions?.url ?? request.url,
      idempotencyKey: header('idempotency-key') ?? null,
      fingerprint: header('idempotency-key') ? requestFingerprint(request.body, header('x-priority')) : '',
      reply,
      idempotencyChecked: false,
      claim: null,
      stopRenewing: null,
    };
    return from(this.context.run(submit, () => this.handle(submit, next)));
  }

  private async handle(submit: SubmitRequest, next: CallHandler): Promise<unknown> {
    try {
      const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.idempotency.completed(submit, result);
      return result;
    } catch (err) {
      if (err instanceof IdempotentReplay) return replay(submit.reply, err.answer);
      await this.idempotency.failed(submit, err);
      throw err;
    }
  }
}

/** The first request's answer again: the same body (the route sends it with its own status) or the same error. */
function replay(reply: FastifyReply, answer: StoredAnswer): unknown {
  const headers = { ...answer.headers, 'idempotent-replayed': 'true' };
  if (answer.kind === 'error') throw new ConveyorException(answer.code as ErrorCode, answer.message, answer.param, answer.retryAfterS, headers);
  void reply.headers(headers);
  return answer.body;
}
