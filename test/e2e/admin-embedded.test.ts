import { Api } from '../support/http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';

const DEMO_ADMIN_KEY = 'admin-demo-key-0123456789';

/**
 * The admin API in the embedded default (one process, the in-process broker, PGlite) with the demo keys and the demo
 * admin key, as `npm start` runs it. The auth cache is ten minutes long, so a revoked key refused at once is the
 * in-process `access.changed` broadcast's work.
 */
describe('admin API in the embedded default (in-process broker, PGlite)', () => {
  let app: ServiceProcess;
  let base: string;
  const admin = () => new Api(base, DEMO_ADMIN_KEY);

  beforeAll(async () => {
    const port = await freePort();
    app = ServiceProcess.start('embedded', {
      PORT: String(port),
      STREAMING_PORT: '0',
      HOST: '127.0.0.1',
      EMBEDDED_DATA_DIR: 'memory',
      AUTH_CACHE_TTL_MS: '600000',
      WORKER_CONCURRENCY: '2',
      WORKER_HEARTBEAT_MS: '200',
    });
    await app.waitForLog(/Conveyor is running/, 60_000);
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('takes the documented demo admin key; a demo tenant key is refused on admin routes', async () => {
    expect((await admin().get('/v1/admin/whoami')).body).toEqual({ object: 'admin', id: expect.stringMatching(/^adm_[0-9a-f]{12}$/) });
    expect((await new Api(base, 'tok-alice-secret').get('/v1/admin/whoami')).status).toBe(403);
    const tenants = (await admin().get('/v1/admin/tenants')).body.data.map((t: { id: string }) => t.id);
    expect(tenants).toEqual(['tenant-alice', 'tenant-bob', 'tenant-demo', 'tenant-test']);
  });

  it('a created key works at once and is refused as soon as it is revoked; the worker is listed with its slots', async () => {
    expect((await admin().request('POST', '/v1/admin/tenants', JSON.stringify({ id: 'tenant-console' }), { 'content-type': 'application/json' })).status).toBe(
      201,
    );
    const created = await admin().request('POST', '/v1/admin/tenants/tenant-console/keys', JSON.stringify({}), { 'content-type': 'application/json' });
    expect(created.status).toBe(201);
    const user = new Api(base, created.body.key);
    const job = await user.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'hello' }] });
    expect(job.status).toBe(202);
    expect((await user.waitForJob(job.body.job_id)).status).toBe('completed');

    expect((await admin().request('DELETE', `/v1/admin/keys/${created.body.id}`)).body.status).toBe('revoked');
    expect((await user.get('/v1/jobs')).status).toBe(401);

    // The worker's list of running jobs is as fresh as its last heartbeat: wait for one sent after the job ended.
    let workers: any;
    for (let tries = 0; tries < 40; tries += 1) {
      workers = (await admin().get('/v1/admin/workers')).body;
      if (workers.data[0]?.busy === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(workers.data).toEqual([expect.objectContaining({ object: 'worker', slots: 2, busy: 0, jobs: [] })]);
    expect(workers.queues.normal).toEqual({ messages: 0, consumers: 1 });
    expect((await admin().get('/v1/admin/audit')).body.data.map((e: { action: string }) => e.action)).toEqual([
      'api_key.revoke',
      'api_key.create',
      'tenant.create',
    ]);
    expect(app.logs).not.toContain(created.body.key);
  });
});
