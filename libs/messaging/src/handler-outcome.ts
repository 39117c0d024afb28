/**
 * What a queue handler decides about the message it was given. Handlers return one of these instead of
 * throwing into the transport; a handler that throws anyway is treated as `retry` (bounded), never as an
 * endless requeue.
 */
export type HandlerOutcome =
  | { action: 'ack' }
  | { action: 'retry'; reason: string; delayMs?: number }
  | { action: 'dead-letter'; reason: string };

export const Outcome = {
  ack: (): HandlerOutcome => ({ action: 'ack' }),
  /** Try again later, through the queue's retry queue; dead-lettered once the retry budget is spent. */
  retry: (reason: string, delayMs?: number): HandlerOutcome => ({ action: 'retry', reason, delayMs }),
  /** Never try again: the message goes to the dead-letter queue with the reason in its headers. */
  deadLetter: (reason: string): HandlerOutcome => ({ action: 'dead-letter', reason }),
} as const;

export function isHandlerOutcome(value: unknown): value is HandlerOutcome {
  const action = (value as { action?: unknown } | null)?.action;
  return action === 'ack' || action === 'retry' || action === 'dead-letter';
}
