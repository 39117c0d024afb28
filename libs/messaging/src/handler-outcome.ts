/**
 * What a queue handler decides about the message it was given. Handlers return one of these (or nothing, which
 * acks); a handler that throws is retried through the bounded retry budget, never requeued in a loop, and one
 * that throws a DependencyUnavailableError waits for the dependency (see InboundPipeline).
 */
export type HandlerOutcome =
  { action: 'ack' } | { action: 'retry'; reason: string; delayMs?: number; unbudgeted?: boolean } | { action: 'dead-letter'; reason: string };

export const Outcome: {
  ack(): HandlerOutcome;
  retry(reason: string, delayMs?: number): HandlerOutcome;
  waitForDependency(reason: string, delayMs?: number): HandlerOutcome;
  deadLetter(reason: string): HandlerOutcome;
} = {
  ack: (): HandlerOutcome => ({ action: 'ack' }),
  /** Try again later, through the queue's retry queue; dead-lettered once the retry budget is spent. */
  retry: (reason: string, delayMs?: number): HandlerOutcome => ({ action: 'retry', reason, delayMs }),
  /**
   * A dependency the handler needs (the database) cannot be reached: try again later, without spending the
   * retry budget, for as long as the outage lasts. Only for failures that say nothing about the message itself,
   * else a poison message would be retried for ever; the pipeline answers it for a DependencyUnavailableError.
   */
  waitForDependency: (reason: string, delayMs?: number): HandlerOutcome => ({ action: 'retry', reason, delayMs, unbudgeted: true }),
  /** Never try again: the message goes to the dead-letter queue with the reason in its headers. */
  deadLetter: (reason: string): HandlerOutcome => ({ action: 'dead-letter', reason }),
};

export function isHandlerOutcome(value: unknown): value is HandlerOutcome {
  const action = (value as { action?: unknown } | null)?.action;
  return action === 'ack' || action === 'retry' || action === 'dead-letter';
}
