/** A first request's answer, kept for the requests that repeat its Idempotency-Key. */
export type StoredAnswer =
  | { kind: 'body'; headers: Record<string, string>; body: unknown }
  | { kind: 'error'; code: string; message: string; param: string | null; retryAfterS?: number; headers: Record<string, string> };

/**
 * Thrown out of the submit when a request repeats an Idempotency-Key whose first request has its answer:
 * SubmitContextInterceptor answers with that instead, and nothing is submitted.
 */
export class IdempotentReplay extends Error {
  constructor(readonly answer: StoredAnswer) {
    super('idempotent replay');
    this.name = 'IdempotentReplay';
  }
}
