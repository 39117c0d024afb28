import type { DeliveryOutcome } from '@conveyor/database';
import type { AttemptResult } from './webhook-http.client';

/** The longest Retry-After honoured: a receiver cannot park a delivery for more than a day. */
const MAX_RETRY_AFTER_MS = 86_400_000;

/** A decision plus whether the broker message should be dead-lettered (retries exhausted) rather than acked. */
export interface DeliveryDecision {
  outcome: DeliveryOutcome;
  deadLetter: boolean;
}

/**
 * What follows an attempt. Only a 2xx succeeds (a 3xx is a failure: redirects are never followed). A 410
 * ends the delivery, as the receiver asked to stop. Anything else retries after the schedule's next delay,
 * or the answer's Retry-After on 429 and 503 when that is longer, until the schedule is spent.
 * `attemptInSchedule` counts attempts since the delivery began (or was last replayed), from 1.
 */
export function decideAfterAttempt(result: AttemptResult, attemptInSchedule: number, scheduleMs: readonly number[]): DeliveryDecision {
  const code = result.statusCode;
  if (code !== null && code >= 200 && code < 300) return { outcome: { status: 'succeeded' }, deadLetter: false };
  if (code === 410) return { outcome: { status: 'dead', reason: 'endpoint_gone: the receiver answered 410' }, deadLetter: false };
  const failure = code !== null ? `HTTP ${code}` : (result.error ?? 'no response');
  if (attemptInSchedule > scheduleMs.length) {
    return { outcome: { status: 'dead', reason: `retries_exhausted after ${attemptInSchedule} attempts: ${failure}` }, deadLetter: true };
  }
  let delay = scheduleMs[attemptInSchedule - 1]!;
  if ((code === 429 || code === 503) && result.retryAfterMs !== null) delay = Math.max(delay, Math.min(result.retryAfterMs, MAX_RETRY_AFTER_MS));
  return { outcome: { status: 'pending', retryInMs: delay }, deadLetter: false };
}
