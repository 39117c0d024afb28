export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Ceiling of any computed delay. */
  maxMs: number;
}

/**
 * Delay before retry number `retry` (0 for the first): exponential, capped, with "equal jitter" — a uniform
 * pick in the upper half of the step — so workers that failed together do not retry in lockstep, yet every
 * retry still waits at least half its step.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxMs, options.baseMs * 2 ** retry);
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The wait before the next try: what the upstream asked for (Retry-After) when it said, otherwise backoff.
 * An upstream's figure is honoured as given, even above `maxMs`; the router decides whether to wait that long.
 */
export function retryDelayMs(retry: number, retryAfterMs: number | undefined, options: BackoffOptions, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) return Math.ceil(retryAfterMs);
  return backoffDelayMs(retry, options, random);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
