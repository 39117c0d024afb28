import type { BrokerClient, Delivery, Subscription } from '../broker-client.port';

/**
 * Strict priority over the band queues: each of `concurrency` slots takes one message at a time from the
 * first non-empty band (high, then normal, then low), so no message of a lower band is held while a higher
 * one waits. Idle slots sleep until a wake-up or the idle poll interval, whichever comes first.
 *
 * A doorbell wakes one idle slot, not all of them: each wake-up costs a basic.get per band, so waking every
 * idle slot for every job (a herd of 128 slots × 3 bands for one message) would spend the broker on empty
 * gets. A slot that does take a message wakes the next idle one, since more may be waiting; a burst thus
 * ramps up slot by slot, and a slot that finds nothing wakes no one.
 */
export class BandPuller {
  private running = false;
  private slots: Promise<void>[] = [];
  private wakeSubscription?: Subscription;
  private sleepers = new Set<() => void>();

  constructor(
    private readonly broker: BrokerClient,
    private readonly queues: readonly string[],
    private readonly options: { concurrency: number; idlePollMs: number },
    private readonly run: (delivery: Delivery) => Promise<void>,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    this.wakeSubscription = await this.broker.onWake(() => this.wakeOne());
    this.slots = Array.from({ length: this.options.concurrency }, () => this.slot());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeAll();
    await this.wakeSubscription?.cancel().catch(() => undefined);
    await Promise.all(this.slots);
  }

  private async slot(): Promise<void> {
    while (this.running) {
      let delivery: Delivery | null = null;
      try {
        delivery = await this.broker.take(this.queues);
      } catch {
        delivery = null; // disconnected: the client reconnects by itself; poll again after a pause
      }
      if (delivery) {
        this.wakeOne();
        await this.run(delivery);
      } else await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.options.idlePollMs);
      this.sleepers.add(done);
    });
  }

  private wakeOne(): void {
    const [first] = this.sleepers;
    first?.();
  }

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
