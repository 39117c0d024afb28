import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { IDEMPOTENCY_STORE, RATE_BUCKET_STORE, type IdempotencyStore, type RateBucketStore } from '@conveyor/database';

/** How often ended jobs' token reservations are settled against their real usage. */
const SETTLE_EVERY_MS = 1_000;
/** Reservations settled per statement; a backlog takes several rounds. */
const SETTLE_BATCH = 1_000;
/** How often expired idempotency keys, orphaned reservations and idle buckets are deleted. */
const SWEEP_EVERY_MS = 60_000;

/**
 * The background half of admission, on every gateway replica (its statements are safe to run on several at
 * once: each reservation is deleted, and credited, by exactly one): settles the tokens-per-minute estimates of
 * ended jobs with the usage persistence recorded for them, and deletes what has expired.
 */
@Injectable()
export class AdmissionSweeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AdmissionSweeper.name);
  private readonly timers: NodeJS.Timeout[] = [];
  private settling = false;

  constructor(
    @Inject(RATE_BUCKET_STORE) private readonly buckets: RateBucketStore,
    @Inject(IDEMPOTENCY_STORE) private readonly keys: IdempotencyStore,
  ) {}

  onModuleInit(): void {
    this.every(SETTLE_EVERY_MS, () => this.settle());
    this.every(SWEEP_EVERY_MS, async () => {
      await this.keys.sweepExpired();
      await this.buckets.sweep();
    });
  }

  onModuleDestroy(): void {
    this.timers.forEach(clearInterval);
  }

  /** Settles until no ended job's reservation is left (one round at a time). */
  async settle(): Promise<void> {
    if (this.settling) return;
    this.settling = true;
    try {
      while ((await this.buckets.settleEnded(SETTLE_BATCH)) === SETTLE_BATCH);
    } finally {
      this.settling = false;
    }
  }

  private every(ms: number, work: () => Promise<void>): void {
    const timer = setInterval(() => void work().catch((err: Error) => this.logger.warn(`admission sweep failed: ${err.message}`)), ms);
    timer.unref();
    this.timers.push(timer);
  }
}
