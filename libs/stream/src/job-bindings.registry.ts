import { jobEventsPattern } from '@conveyor/contracts';

/** The two calls of a routed listener this registry needs (bind and unbind one routing pattern). */
export interface PatternBinder {
  bind(pattern: string): Promise<void>;
  unbind(pattern: string): Promise<void>;
}

/**
 * Reference-counted per-job bindings on this replica's routed queue: the first watcher of a job binds its
 * events, the last one to leave unbinds them, so the replica receives only the jobs its own clients watch.
 * Calls for one job run one after another, so a release racing a bind never leaves a stray binding.
 */
export class JobBindingsRegistry {
  private readonly counts = new Map<string, number>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly binder: PatternBinder) {}

  acquire(jobId: string): Promise<void> {
    return this.serial(jobId, async () => {
      const count = this.counts.get(jobId) ?? 0;
      if (count === 0) await this.binder.bind(jobEventsPattern(jobId));
      this.counts.set(jobId, count + 1);
    });
  }

  release(jobId: string): Promise<void> {
    return this.serial(jobId, async () => {
      const count = this.counts.get(jobId) ?? 0;
      if (count === 0) return;
      if (count === 1) {
        this.counts.delete(jobId);
        await this.binder.unbind(jobEventsPattern(jobId));
      } else {
        this.counts.set(jobId, count - 1);
      }
    });
  }

  /** Jobs currently bound, with their watcher counts (for tests and leak checks). */
  bound(): ReadonlyMap<string, number> {
    return this.counts;
  }

  private serial(jobId: string, step: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(jobId) ?? Promise.resolve()).then(step);
    const settled = next.catch(() => undefined);
    this.chains.set(jobId, settled);
    void settled.then(() => {
      if (this.chains.get(jobId) === settled) this.chains.delete(jobId);
    });
    return next;
  }
}
