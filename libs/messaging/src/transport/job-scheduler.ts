import type { PriorityBand } from '@conveyor/contracts';
import type { BrokerClient, Delivery, PausableSubscription } from '../broker-client.port';
import { bandOfQueue } from '../topology';

export interface JobSchedulerOptions {
  /** Jobs run at once. */
  concurrency: number;
  /**
   * Deliveries each shard queue may push ahead of acks. The window also counts running jobs, so it must exceed the
   * jobs a shard may have running for that shard's next job to be at hand when one ends — else a lower band's job,
   * already held, would start first.
   */
  prefetch: number;
  /** A held delivery that has waited this long while every slot is busy makes the worker stop taking more. */
  holdMs: number;
}

/** The header carrying the weight of the job's tenant (default 1): its share of a band against other shards'. */
export const WEIGHT_HEADER = 'x-conveyor-weight';

/** The headers a job is published with: its tenant's weight, when TENANT_WEIGHTS gives it one other than 1. */
export function jobHeaders(tenantId: string, weights: ReadonlyMap<string, number>): Record<string, string> | undefined {
  const weight = weights.get(tenantId);
  return weight === undefined || weight === 1 ? undefined : { [WEIGHT_HEADER]: String(weight) };
}

interface Shard {
  queue: string;
  held: Array<{ delivery: Delivery; at: number }>;
  /** Stride scheduling: the shard with the smallest pass goes next; serving a job of weight w adds 1 / w. */
  pass: number;
  /** Deliveries taken and not yet finished (held or running): the broker pushes more only while this is below prefetch. */
  unsettled: number;
  /** The broker filled this shard's whole window since its last finish: its queue had more than it could push. */
  filled: boolean;
  /** When each finish of a filled shard freed a place the broker is expected to refill (oldest first). */
  owed: number[];
}

/** Bounds of the wait for an owed refill: a few round trips, never long (the queue may have emptied after all). */
const REFILL_WAIT_MIN_MS = 5;
const REFILL_WAIT_MAX_MS = 200;

/**
 * A started job's claim on one of the worker's slots. A job that waits in a batching window gives it up, so the
 * window costs no slot, and takes one back to run, in band order (see JobScheduler.next).
 */
export interface JobSlot {
  readonly held: boolean;
  /** Gives the slot up while the job waits without running; another job may start in it. */
  release(): void;
  /** Takes a slot again: ahead of the deliveries of its own band and lower ones, behind those of higher bands. */
  acquire(): Promise<void>;
}

interface Band {
  band: PriorityBand;
  shards: Shard[];
  /** Started jobs of this band waiting to take a slot back (JobSlot.acquire), oldest first. */
  grants: Array<() => void>;
  /** The pass of the job served last, where a shard that had nothing rejoins (so it cannot claim missed turns). */
  virtualTime: number;
}

/**
 * The worker side of the job intake (docs/intake-design.md): every shard queue of every band pushes deliveries
 * here, and a job starts whenever a slot is free — from the highest band holding any, and within a band from its
 * shards in a weighted round robin, so one tenant's backlog (one shard) cannot starve the others of that band.
 *
 * A worker whose slots are all busy keeps what was pushed to it; once a held job has waited `holdMs`, it stops
 * taking more (basic.cancel, keeping what it holds) until a slot is free and nothing is held, so new work flows to
 * workers with room. With fast jobs nothing waits that long, and consumers are never churned.
 *
 * A started job may give its slot up while it waits in a batching window (JobSlot) and take one back to run; it
 * then counts as the oldest job of its band, so band order holds for batches as for single jobs.
 */
export class JobScheduler {
  private readonly bands: Band[] = [];
  private readonly shardOf = new Map<string, Shard>();
  private readonly subscriptions: PausableSubscription[] = [];
  private running = 0;
  private held = 0;
  private paused = false;
  private stopped = false;
  private holdTimer: NodeJS.Timeout | null = null;
  private refillTimer: NodeJS.Timeout | null = null;
  /** How long the broker has lately taken to push into a place an ack freed (a moving average). */
  private refillMs = 10;
  private dispatchScheduled = false;

  constructor(
    private readonly broker: BrokerClient,
    queues: readonly string[],
    private readonly options: JobSchedulerOptions,
    private readonly run: (delivery: Delivery, slot: JobSlot) => Promise<void>,
  ) {
    for (const queue of queues) {
      const band = bandOfQueue(queue);
      if (!band) throw new Error(`${queue} is not a job queue`);
      let entry = this.bands.find((b) => b.band === band);
      if (!entry) this.bands.push((entry = { band, shards: [], grants: [], virtualTime: 0 }));
      const shard: Shard = { queue, held: [], pass: 0, unsettled: 0, filled: false, owed: [] };
      entry.shards.push(shard);
      this.shardOf.set(queue, shard);
    }
  }

  async start(): Promise<void> {
    for (const shard of this.shardOf.values()) {
      this.subscriptions.push(await this.broker.consume(shard.queue, this.options.prefetch, (delivery) => this.receive(delivery)));
    }
  }

  /** Takes nothing new and starts nothing more; what is held stays unsettled and goes back when the consumers are cancelled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearHoldTimer();
    this.clearRefillTimer();
    await Promise.all(this.subscriptions.map((s) => s.pause()));
  }

  /** Cancels the consumers: everything unsettled (held, or still running past the drain) goes back to its queue. */
  async cancel(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((s) => s.cancel().catch(() => undefined)));
  }

  /** Deliveries held and jobs running (tests, diagnostics). */
  get load(): { running: number; held: number; paused: boolean } {
    return { running: this.running, held: this.held, paused: this.paused };
  }

  private receive(delivery: Delivery): void {
    const shard = this.shardOf.get(delivery.queue);
    if (!shard) throw new Error(`a delivery from ${delivery.queue}, which this scheduler does not consume`);
    const band = this.bands.find((b) => b.shards.includes(shard))!;
    if (shard.held.length === 0) shard.pass = Math.max(shard.pass, band.virtualTime);
    const now = performance.now();
    shard.held.push({ delivery, at: now });
    this.held += 1;
    shard.unsettled += 1;
    if (shard.unsettled >= this.options.prefetch) shard.filled = true;
    const owedSince = shard.owed.shift();
    if (owedSince !== undefined) this.refillMs = 0.8 * this.refillMs + 0.2 * (now - owedSince);
    this.dispatchSoon();
  }

  /**
   * Deliveries of several queues that arrive together (a worker starting on a backlog, a burst) are weighed
   * together: the choice waits for the end of this turn of the event loop, so a high job that arrived a moment
   * after a low one still goes first.
   */
  private dispatchSoon(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.running < this.options.concurrency) {
      const next = this.next();
      if (!next) break;
      this.running += 1;
      if (typeof next === 'function') {
        next();
        continue;
      }
      const shard = this.shardOf.get(next.queue)!;
      const slot = this.slotFor(this.bands.find((b) => b.shards.includes(shard))!);
      void this.run(next, slot).finally(() => {
        if (slot.held) slot.release();
        this.finished(shard);
        this.dispatch();
      });
    }
    this.watchHolds();
  }

  /** The slot a delivery starts in (held); released, it is granted again through its band's `grants`. */
  private slotFor(band: Band): JobSlot {
    let held = true;
    return {
      get held() {
        return held;
      },
      release: () => {
        if (!held) return;
        held = false;
        this.running -= 1;
        this.dispatchSoon();
      },
      acquire: () => {
        if (held) return Promise.resolve();
        return new Promise<void>((resolve) => {
          band.grants.push(() => ((held = true), resolve()));
          this.dispatchSoon();
        });
      },
    };
  }

  /**
   * A finish frees a place in the shard's window. If the broker filled the whole window since the last finish, its
   * queue had more than the window, and it will push the next delivery one round trip after the ack: that place is
   * owed. (A window never filled means the queue ran dry; nothing is owed.)
   */
  private finished(shard: Shard): void {
    shard.unsettled -= 1;
    if (shard.filled) shard.owed.push(performance.now());
    shard.filled = false;
  }

  /**
   * The next job: the highest band holding any, and that band's shard with the smallest pass. A band that holds
   * nothing but is owed a refill comes first all the same: a lower band's job does not start in the round trip
   * before a higher band's next delivery arrives (see `finished`). The wait is bounded by a few recent refill times,
   * after which what is owed is written off (the queue emptied, or another consumer took it).
   */
  private next(): Delivery | (() => void) | null {
    for (const band of this.bands) {
      // A job taking its slot back has started already: it goes before anything new of its band, even while stopping.
      const grant = band.grants.shift();
      if (grant) return grant;
      if (this.stopped) continue;
      let best: Shard | null = null;
      for (const shard of band.shards) if (shard.held.length > 0 && (!best || shard.pass < best.pass)) best = shard;
      if (!best) {
        if (this.held > 0 && band.shards.some((s) => s.owed.length > 0) && this.awaitRefill(band) === null) return null;
        continue;
      }
      const { delivery } = best.held.shift()!;
      this.held -= 1;
      band.virtualTime = best.pass;
      best.pass += 1 / weightOf(delivery);
      return delivery;
    }
    return null;
  }

  /** Null while a refill owed to one of the band's shards may still come; otherwise writes off what is owed and returns false. */
  private awaitRefill(band: Band): null | false {
    const now = performance.now();
    const waitMs = Math.min(REFILL_WAIT_MAX_MS, Math.max(REFILL_WAIT_MIN_MS, 3 * this.refillMs));
    let oldest = Infinity;
    for (const shard of band.shards) {
      shard.owed = shard.owed.filter((t) => now - t < waitMs);
      if (shard.owed[0] !== undefined) oldest = Math.min(oldest, shard.owed[0]);
    }
    if (oldest === Infinity) return false;
    if (!this.refillTimer) {
      this.refillTimer = setTimeout(
        () => {
          this.refillTimer = null;
          this.dispatch();
        },
        Math.max(1, oldest + waitMs - now),
      );
      this.refillTimer.unref();
    }
    return null;
  }

  private clearRefillTimer(): void {
    if (this.refillTimer) clearTimeout(this.refillTimer);
    this.refillTimer = null;
  }

  private watchHolds(): void {
    if (this.held === 0) {
      this.clearHoldTimer();
      if (this.paused && !this.stopped && this.running < this.options.concurrency) this.setPaused(false);
      return;
    }
    if (this.paused || this.holdTimer || this.running < this.options.concurrency) return;
    const oldest = Math.min(...[...this.shardOf.values()].flatMap((s) => (s.held[0] ? [s.held[0].at] : [])));
    const wait = Math.max(0, oldest + this.options.holdMs - performance.now());
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      if (this.held > 0 && this.running >= this.options.concurrency && !this.stopped) this.setPaused(true);
    }, wait);
    this.holdTimer.unref();
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    for (const subscription of this.subscriptions) void (paused ? subscription.pause() : subscription.resume());
  }

  private clearHoldTimer(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
  }
}

function weightOf(delivery: Delivery): number {
  const weight = Number(delivery.headers[WEIGHT_HEADER] ?? 1);
  return Number.isFinite(weight) && weight > 0 ? weight : 1;
}
