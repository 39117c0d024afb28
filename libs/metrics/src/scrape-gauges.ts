import { BROKER_UP, DATABASE_UP, OPEN_STREAMS, QUEUE_CONSUMERS, QUEUE_DEPTH } from './metric-definitions';
import type { MetricsRegistry } from './metrics.registry';

/** The longest a scrape waits on the broker or the database: a hung dependency must not hang the scrape. */
const SCRAPE_READ_TIMEOUT_MS = 2_000;

export function withTimeout<T>(promise: Promise<T>, ms: number = SCRAPE_READ_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** How a process checks its dependencies: the broker client's state, and one database round trip. */
export interface DependencyProbes {
  brokerReady(): boolean;
  pingDatabase(): Promise<unknown>;
}

/** `conveyor_broker_up` and `conveyor_database_up`, read on scrape (every service). */
export function watchDependencies(metrics: MetricsRegistry, probes: DependencyProbes): void {
  metrics.gaugeOnScrape(BROKER_UP, (set) => set({}, probes.brokerReady() ? 1 : 0));
  metrics.gaugeOnScrape(DATABASE_UP, async (set) =>
    set(
      {},
      await withTimeout(probes.pingDatabase()).then(
        () => 1,
        () => 0,
      ),
    ),
  );
}

/** One band's queues as the broker reports them. */
export interface BandDepth {
  messages: number;
  consumers: number;
}

/**
 * `conveyor_queue_depth{band}` and `conveyor_queue_consumers{band}`, read from the broker on scrape (one passive
 * declare per shard queue), never per job. Both gauges share one read per scrape.
 */
export function watchQueueDepth(metrics: MetricsRegistry, read: () => Promise<Record<string, BandDepth>>): void {
  let pending: Promise<Record<string, BandDepth>> | null = null;
  // The two gauges are collected in the same scrape: the first starts the read, the second reuses it.
  const once = () => {
    pending ??= withTimeout(read()).finally(() => setImmediate(() => (pending = null)));
    return pending;
  };
  metrics.gaugeOnScrape(QUEUE_DEPTH, async (set) => {
    for (const [band, depth] of Object.entries(await once())) set({ band }, depth.messages);
  });
  metrics.gaugeOnScrape(QUEUE_CONSUMERS, async (set) => {
    for (const [band, depth] of Object.entries(await once())) set({ band }, depth.consumers);
  });
}

/** `conveyor_open_streams`: what the process's stream registry counts now, read on scrape. */
export function watchOpenStreams(metrics: MetricsRegistry, count: () => number): void {
  metrics.gaugeOnScrape(OPEN_STREAMS, (set) => set({}, count()));
}
