import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyReply } from 'fastify';
import type { IdempotencyClaim } from '@conveyor/database';

/**
 * What admission needs to know about the HTTP request a submit serves, which JobsService.submit does not carry: the
 * API key, the route, the Idempotency-Key and the request's fingerprint, and the reply to put headers on. Set by
 * SubmitContextInterceptor for every POST, read by AdmissionService; a submit outside any request has none.
 */
export interface SubmitRequest {
  /** The caller's key (its SHA-256), for per-key limits; null for a request without one. */
  apiKeyHash: string | null;
  /** The route pattern, e.g. `/openai/v1/chat/completions`: idempotency keys are kept per route. */
  route: string;
  idempotencyKey: string | null;
  fingerprint: string;
  reply: FastifyReply;
  /**
   * The Idempotency-Key was dealt with by this request's first submit: a route that submits several jobs in one
   * request has one key for the whole request, whose answer is what gets replayed.
   */
  idempotencyChecked: boolean;
  /** The key this request claimed, which the interceptor settles once the request has its answer. */
  claim: IdempotencyClaim | null;
  /** Stops renewing the claim's lease. */
  stopRenewing: (() => void) | null;
}

/** The current request's SubmitRequest, carried across awaits (AsyncLocalStorage). */
@Injectable()
export class SubmitContext {
  private readonly storage = new AsyncLocalStorage<SubmitRequest>();

  run<T>(request: SubmitRequest, work: () => Promise<T>): Promise<T> {
    return this.storage.run(request, work);
  }

  current(): SubmitRequest | undefined {
    return this.storage.getStore();
  }

  /** Puts headers on the current request's answer, whatever form it takes (JSON, SSE stream, or error). */
  setHeaders(headers: Record<string, string>): void {
    const reply = this.current()?.reply;
    if (!reply || reply.raw.headersSent) return;
    // On the raw response: a stream writes its own head, and Node merges these into it as into Fastify's.
    for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
  }
}
