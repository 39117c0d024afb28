import Fastify from 'fastify';
import { instrumentHttp } from './http.metrics';
import { MetricsRegistry } from './metrics.registry';

describe('instrumentHttp', () => {
  it('counts answers by route template, method and status; an unknown path is `unmatched`, an unusual method OTHER', async () => {
    const metrics = new MetricsRegistry({ defaults: false });
    const app = Fastify();
    instrumentHttp(app, metrics);
    app.get('/v1/jobs/:jobId', async (request) => ({ id: (request.params as { jobId: string }).jobId }));
    await app.ready();
    await app.inject({ method: 'GET', url: '/v1/jobs/tenant-alice-job-1' });
    await app.inject({ method: 'GET', url: '/v1/jobs/tok-secret-key' });
    await app.inject({ method: 'GET', url: '/no/such/tenant-alice' });
    await app.inject({ method: 'PROPFIND' as 'GET', url: '/dav' }); // not a method Fastify types know
    const text = await metrics.scrape();
    expect(text).toContain('conveyor_http_requests_total{route="/v1/jobs/:jobId",method="GET",status="200"} 2');
    expect(text).toContain('conveyor_http_requests_total{route="unmatched",method="GET",status="404"} 1');
    expect(text).toMatch(/conveyor_http_requests_total\{route="unmatched",method="OTHER",status="\d+"\} 1/);
    expect(text).toContain('conveyor_http_request_duration_seconds_count{route="/v1/jobs/:jobId",method="GET"} 2');
    for (const raw of ['tenant-alice', 'tok-secret-key']) expect(text).not.toContain(raw);
    await app.close();
  });
});
