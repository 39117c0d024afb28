import type { BrokerClient, Delivery, Subscription } from '../broker-client.port';

/**
 * Strict priority over the band queues: each of `concurrency` slots takes one message at a time from the
 * first non-empty band (high, then normal, then low), so no message of a lower band is held while a higher
 * one waits. Idle slots sleep until the broker's wake-up or the idle poll interval, whichever comes first.
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
    this.wakeSubscription = await this.broker.onWake(() => this.wakeAll());
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
      if (delivery) await this.run(delivery);
      else await this.sleep();
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

  private wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
