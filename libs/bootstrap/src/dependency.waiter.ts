/** A dependency a service cannot start without, and how to tell that it answers now. */
export interface Dependency {
  name: 'broker' | 'database';
  /** Resolves once the dependency answered; rejects with the reason it did not. */
  check(): Promise<void>;
}

export interface WaitLogger {
  log(message: string, context?: string): void;
  warn(message: string, context?: string): void;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/** First retry after half a second, doubling, never more than 15 s apart: quick when a broker is merely slow to start. */
export const START_BACKOFF: Backoff = { initialMs: 500, maxMs: 15_000 };

const CONTEXT = 'Startup';

/**
 * Waits until every dependency answers, checking the missing ones again after a back-off that doubles up to its
 * ceiling, and logging each wait with its reason. `onMissing` hears which are still missing after each round
 * (empty once all answer), for a placeholder that reports them.
 */
export async function waitForDependencies(
  dependencies: readonly Dependency[],
  logger: WaitLogger,
  onMissing: (missing: readonly string[]) => void = () => undefined,
  backoff: Backoff = START_BACKOFF,
): Promise<void> {
  let pending = [...dependencies];
  let delayMs = backoff.initialMs;
  let waited = false;
  // Missing until they answered once.
  onMissing(pending.map((d) => d.name));
  for (;;) {
    const results = await Promise.all(
      pending.map((d) =>
        d.check().then(
          () => null,
          (err: Error) => ({ dependency: d, reason: err.message }),
        ),
      ),
    );
    const failures = results.filter((r): r is { dependency: Dependency; reason: string } => r !== null);
    pending = failures.map((f) => f.dependency);
    onMissing(pending.map((d) => d.name));
    if (pending.length === 0) {
      if (waited) logger.log(`${dependencies.map((d) => d.name).join(' and ')} reachable: starting`, CONTEXT);
      return;
    }
    const why = failures.map((f) => `${f.dependency.name} (${f.reason})`).join(', ');
    logger.warn(`waiting for ${why}; next try in ${delayMs / 1000} s`, CONTEXT);
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, backoff.maxMs);
  }
}
