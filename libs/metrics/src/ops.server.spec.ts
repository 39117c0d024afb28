import { MetricsRegistry } from './metrics.registry';
import { startOpsServer } from './ops.server';
import { watchDependencies } from './scrape-gauges';

describe('startOpsServer', () => {
  it('serves /metrics, /health (always 200, with the dependencies) and /health/ready (503 until both are up), and nothing else', async () => {
    const metrics = new MetricsRegistry({ defaults: false });
    let databaseUp = false;
    const probes = { brokerReady: () => true, pingDatabase: () => (databaseUp ? Promise.resolve() : Promise.reject(new Error('down'))) };
    watchDependencies(metrics, probes);
    const ops = await startOpsServer({ host: '127.0.0.1', port: 0, metrics, probes });
    try {
      const scrape = await fetch(`${ops.url}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await scrape.text()).toContain('conveyor_database_up 0');

      const health = await fetch(`${ops.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'degraded', broker: { ready: true }, database: { ready: false } });
      expect((await fetch(`${ops.url}/health/ready`)).status).toBe(503);
      databaseUp = true;
      expect((await fetch(`${ops.url}/health/ready`)).status).toBe(200);

      expect((await fetch(`${ops.url}/v1/jobs`)).status).toBe(404);
      expect((await fetch(`${ops.url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await ops.close();
    }
  });
});
