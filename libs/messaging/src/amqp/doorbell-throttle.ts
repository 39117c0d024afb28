/** The clock the throttle runs on: injected so its spec drives time by hand. */
export interface ThrottleClock {
  now(): number;
  set(callback: () => void, ms: number): unknown;
}

const realClock: ThrottleClock = { now: () => performance.now(), set: (callback, ms) => setTimeout(callback, ms).unref() };

/**
 * Rings the workers' wake-up doorbell at most once per `windowMs`: the first job after a quiet spell rings at
 * once, and jobs published during the window share one ring at its end. A doorbell only says "look at the
 * bands", and a worker slot that finds a job wakes the next (BandPuller), so one ring serves a whole burst;
 * ringing per job spent one broker message per job on nothing once the workers were busy. No job waits more
 * than `windowMs` for a ring it would otherwise have had.
 */
export class DoorbellThrottle {
  private lastRingAt = Number.NEGATIVE_INFINITY;
  private pending = false;

  constructor(
    private readonly windowMs: number,
    private readonly ring: () => void,
    private readonly clock: ThrottleClock = realClock,
  ) {}

  /** A job was published. */
  jobPublished(): void {
    if (this.pending) return;
    const wait = this.lastRingAt + this.windowMs - this.clock.now();
    if (wait <= 0) return this.ringNow();
    this.pending = true;
    this.clock.set(() => {
      this.pending = false;
      this.ringNow();
    }, wait);
  }

  private ringNow(): void {
    this.lastRingAt = this.clock.now();
    this.ring();
  }
}
