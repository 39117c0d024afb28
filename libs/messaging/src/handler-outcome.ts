/**
 * What a queue handler decides about the message it was given. Handlers return one of these instead of
 * throwing into the transport; a handler that throws anyway is treated as `retry` (bounded), never as an
 * endless requeue.
 */
export type HandlerOutcome =
  | { action: 'ack' }
  | { action: 'retry'; reason: string; delayMs?: number; unbudgeted?: boolean }
  | { action: 'dead-letter'; reason: string };

export const Outcome: {
  ack(): HandlerOutcome;
  retry(reason: string, delayMs?: number): HandlerOutcome;
  waitForDependency(reason: string, delayMs?: number): HandlerOutcome;
  afterFailure(reason: string, dependencyUnavailable: boolean): HandlerOutcome;
  deadLetter(reason: string): HandlerOutcome;
} = {
  ack: (): HandlerOutcome => ({ action: 'ack' }),
  /** Try again later, through the queue's retry queue; dead-lettered once the retry budget is spent. */
  retry: (reason: string, delayMs?: number): HandlerOutcome => ({ action: 'retry', reason, delayMs }),
  /**
   * A dependency the handler needs (the database) cannot be reached: try again later, without spending the
   * retry budget, for as long as the outage lasts. Only for failures that say nothing about the message itself
   * (see isDatabaseUnavailable), else a poison message would be retried for ever.
   */
  waitForDependency: (reason: string, delayMs?: number): HandlerOutcome => ({ action: 'retry', reason, delayMs, unbudgeted: true }),
  /** After a failed dependency call: wait for the dependency if it is unreachable, else an ordinary retry. */
  afterFailure: (reason: string, dependencyUnavailable: boolean): HandlerOutcome =>
    dependencyUnavailable ? Outcome.waitForDependency(reason) : Outcome.retry(reason),
  /** Never try again: the message goes to the dead-letter queue with the reason in its headers. */
  deadLetter: (reason: string): HandlerOutcome => ({ action: 'dead-letter', reason }),
};

export function isHandlerOutcome(value: unknown): value is HandlerOutcome {
  const action = (value as { action?: unknown } | null)?.action;
  return action === 'ack' || action === 'retry' || action === 'dead-letter';
}
