import { JOBS_SUBMITTED } from './metric-definitions';
import { JobMetrics } from './job.metrics';
import { MetricsRegistry } from './metrics.registry';
import { watchDependencies, watchQueueDepth } from './scrape-gauges';

describe('MetricsRegistry', () => {
  it('creates a metric once: a second recorder in the same process (the embedded mode) adds to the same series', async () => {
    const registry = new MetricsRegistry({ defaults: false });
    new JobMetrics(registry).submitted('simulated', 'high');
    new JobMetrics(registry).submitted('simulated', 'high');
    const text = await registry.scrape();
    expect(text).toContain('conveyor_jobs_submitted_total{model="simulated",priority="high"} 2');
    expect(registry.counter(JOBS_SUBMITTED)).toBe(registry.registry.getSingleMetric(JOBS_SUBMITTED.name));
  });

  it('exposes only the series a process recorded', async () => {
    const registry = new MetricsRegistry({ defaults: false });
    new JobMetrics(registry).finished('cancelled', 'simulated', 'low');
    const text = await registry.scrape();
    expect(text).toContain('conveyor_jobs_finished_total');
    expect(text).not.toContain('conveyor_jobs_submitted_total');
    expect(text).not.toContain('conveyor_tokens_total');
  });

  it('reads scrape-time gauges on scrape, and leaves a failed read without samples instead of failing the scrape', async () => {
    const registry = new MetricsRegistry({ defaults: false });
    let ready = true;
    let reads = 0;
    watchDependencies(registry, { brokerReady: () => ready, pingDatabase: () => Promise.reject(new Error('down')) });
    watchQueueDepth(registry, async () => {
      reads += 1;
      if (reads > 1) throw new Error('broker gone');
      return { high: { messages: 3, consumers: 2 }, normal: { messages: 0, consumers: 2 }, low: { messages: 7, consumers: 2 } };
    });
    const first = await registry.scrape();
    expect(first).toContain('conveyor_broker_up 1');
    expect(first).toContain('conveyor_database_up 0');
    expect(first).toContain('conveyor_queue_depth{band="high"} 3');
    expect(first).toContain('conveyor_queue_depth{band="low"} 7');
    expect(first).toContain('conveyor_queue_consumers{band="normal"} 2');
    expect(reads).toBe(1); // one broker read for both gauges
    ready = false;
    await new Promise((resolve) => setImmediate(resolve));
    const second = await registry.scrape();
    expect(second).toContain('conveyor_broker_up 0');
    expect(second).not.toMatch(/conveyor_queue_depth\{/);
  });

  it('collects Node process metrics by default', async () => {
    const text = await new MetricsRegistry().scrape();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});
