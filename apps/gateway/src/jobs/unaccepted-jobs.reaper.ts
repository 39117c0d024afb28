import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { JOB_STORE, type JobStore } from '@conveyor/database';

/** Waits between removal attempts while the database does not answer, longest last (then repeats it). */
const RETRY_MS = [250, 500, 1_000, 2_000, 5_000];
/** After a removal succeeds, one more this much later: an INSERT cut mid-commit may still land after it. */
const CONFIRM_AFTER_MS = 5_000;
/** Gives up after this long (the row then stays `queued`, and is logged). */
const GIVE_UP_AFTER_MS = 10 * 60_000;

/**
 * Removes the rows of jobs the gateway refused after writing them. A submit whose INSERT fails, or whose publish
 * fails after it, answers 503 ("nothing was accepted") — but an INSERT whose connection broke may have committed
 * all the same (during a database outage the client cannot tell), and the removal right after a failed publish
 * may itself fail. Such a row would stay `queued` for ever with no message behind it. This keeps trying to remove
 * it in the background until the database answers, then once more, so a refused job leaves nothing behind.
 * The store keeps a row whose message is known to be queued (see JobStore.remove): that is logged, not retried.
 */
@Injectable()
export class UnacceptedJobsReaper implements OnModuleDestroy {
  private readonly logger = new Logger(UnacceptedJobsReaper.name);
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(@Inject(JOB_STORE) private readonly jobs: JobStore) {}

  /** Removes the job's row now and again until the database has answered (twice, apart), or gives up. */
  remove(jobId: string): void {
    const until = Date.now() + GIVE_UP_AFTER_MS;
    const attempt = (tries: number, confirmed: boolean) => {
      this.jobs.remove(jobId).then(
        (outcome) => {
          if (outcome === 'delivered') this.logger.error(`refused job ${jobId} is queued after all (a worker read it); its row stays`);
          else if (!confirmed) this.later(CONFIRM_AFTER_MS, () => attempt(0, true));
        },
        (err: Error) => {
          if (Date.now() > until) return this.logger.error(`could not remove refused job ${jobId}; its row stays queued: ${err.message}`);
          this.later(RETRY_MS[Math.min(tries, RETRY_MS.length - 1)]!, () => attempt(tries + 1, confirmed));
        },
      );
    };
    attempt(0, false);
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }
}
