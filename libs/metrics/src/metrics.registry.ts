import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What a metric is: its name, help line, label names and (histograms) buckets. Defined once, in this lib. */
export interface MetricDefinition<L extends string = string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  buckets?: number[];
}

/**
 * The process's Prometheus registry: one per app, so the embedded process and each test get their own. A metric is
 * created the first time a service asks for it and shared after that, so each service registers only what it
 * records, and the embedded process, which runs them all, gets one series where two modules record the same thing.
 * Node's own process metrics (CPU, memory, event loop lag, GC) are collected unless `defaults` is false.
 */
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults !== false) collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text of every metric, collected now (gauges read on scrape run here). */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  counter<L extends string>(def: MetricDefinition<L>): Counter<L> {
    return (
      (this.registry.getSingleMetric(def.name) as Counter<L> | undefined) ?? new Counter({ ...def, labelNames: def.labelNames, registers: [this.registry] })
    );
  }

  histogram<L extends string>(def: MetricDefinition<L>): Histogram<L> {
    return (
      (this.registry.getSingleMetric(def.name) as Histogram<L> | undefined) ??
      new Histogram({ ...def, labelNames: def.labelNames, buckets: def.buckets, registers: [this.registry] })
    );
  }

  /**
   * A gauge whose value is read when Prometheus scrapes (`read`), never on the hot path. A read that throws or
   * exceeds its time leaves the gauge without samples for that scrape rather than failing the whole scrape.
   */
  gaugeOnScrape<L extends string>(
    def: MetricDefinition<L>,
    read: (set: (labels: Partial<Record<L, string>>, value: number) => void) => Promise<void> | void,
  ): Gauge<L> {
    const existing = this.registry.getSingleMetric(def.name) as Gauge<L> | undefined;
    if (existing) return existing;
    return new Gauge({
      ...def,
      labelNames: def.labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          await read((labels, value) => this.set(labels, value));
        } catch {
          // Nothing to report this time: absent samples are what Prometheus alerts on (absent(), or `up`).
        }
      },
    });
  }
}
