/**
 * A dependency (the database, the broker) could not be reached: the failure says nothing about the request or
 * message being handled. HTTP answers it with 503 and Retry-After; the inbound message pipeline waits it out
 * without spending the message's retry budget. Thrown by the adapters, so no call site classifies errors itself.
 */
export class DependencyUnavailableError extends Error {
  constructor(
    readonly dependency: 'database' | 'broker',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DependencyUnavailableError';
  }
}

/** The database could not be reached (down, restarting, connection cut, pool exhausted). */
export class DatabaseUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('database', `database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}
