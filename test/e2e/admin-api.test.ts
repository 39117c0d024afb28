import { createHash, randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { DEFAULT_TOPOLOGY, jobQueue, shardOf } from '@conveyor/messaging';
import { Cluster, CLUSTER_KEYS } from '../support/cluster.util';
import { Api, type HttpResult } from '../support/http.util';

const ADMIN_KEY = 'adm-e2e-admin-api-0123456789';
const ADMIN_ID = `adm_${createHash('sha256').update(ADMIN_KEY).digest('hex').slice(0, 12)}`;
const ask = (content: string) => ({ messages: [{ role: 'user', content }] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 50 ms until it holds, up to `withinMs`; answers how long it took, or fails. */
async function within(withinMs: number, what: string, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await probe()) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`not within ${withinMs} ms: ${what}`);
}

/**
 * The admin API on a deployment of separate processes — two gateway replicas, persistence and inference workers started
 * when needed — over the real RabbitMQ and PostgreSQL, in a vhost and database of its own. The auth cache is set to
 * ten minutes, so a revoked key or a disabled tenant refused within seconds on the replica that did not serve the
 * change can only be the `access.changed` broadcast's work.
 */
describe('admin API across two gateway replicas (separate processes, real RabbitMQ and PostgreSQL)', () => {
  let cluster: Cluster;
  let a: string;
  let b: string;
  const admin = (base = a) => new Api(base, ADMIN_KEY);
  const json = (body: unknown) => [JSON.stringify(body), { 'content-type': 'application/json' }] as const;
  const post = (api: Api, path: string, body?: unknown): Promise<HttpResult> =>
    body === undefined ? api.request('POST', path) : api.request('POST', path, ...json(body));
  /** What the admin did, newest first, as the audit log says it. */
  const expectedAudit: Array<{ action: string; target: { type: string; id: string } }> = [];
  /** The job the created key submitted: it waits in its band until a worker starts. */
  let madeJobId: string;
  const audited = (action: string, type: string, id: string) => expectedAudit.unshift({ action, target: { type, id } });

  beforeAll(async () => {
    cluster = await Cluster.start({
      name: `admin_${randomBytes(4).toString('hex')}`,
      inference: 0,
      streaming: false,
      notification: false,
      env: { ADMIN_API_KEYS: ADMIN_KEY, AUTH_CACHE_TTL_MS: '600000', WORKER_HEARTBEAT_MS: '200' },
      // Each job takes two seconds: long enough to see it running on its worker.
      inferenceEnv: { WORKER_CONCURRENCY: '3', SIMULATED_TTFT_MS: '2000', SIMULATED_MIN_TOKENS: '3', SIMULATED_MAX_TOKENS: '3' },
    });
    a = cluster.gatewayUrl;
    b = await cluster.addGateway();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  /** Takes a queued job's message off its band (no worker runs) and rejects it, so the broker dead-letters it. */
  async function poison(tenant: string, jobId: string): Promise<void> {
    const connection = await amqp.connect(cluster.vhostBrokerUrl);
    try {
      const channel = await connection.createChannel();
      const message = await channel.get(jobQueue('normal', shardOf(tenant, DEFAULT_TOPOLOGY)), { noAck: false });
      expect(message && JSON.parse(message.content.toString()).job_id).toBe(jobId);
      channel.nack(message as amqp.GetMessage, false, false);
      await channel.close();
    } finally {
      await connection.close();
    }
  }

  it('answers who the admin key is, and keeps tenant keys and admin keys apart', async () => {
    expect((await admin().get('/v1/admin/whoami')).body).toEqual({ object: 'admin', id: ADMIN_ID });
    const tenantKey = await new Api(a, CLUSTER_KEYS.alice).get('/v1/admin/tenants');
    expect(tenantKey.status).toBe(403);
    expect(tenantKey.body.error).toMatchObject({ type: 'permission_error', code: 'permission_denied' });
    expect((await new Api(a, 'no-such-key-000').get('/v1/admin/tenants')).status).toBe(401);
  });

  it('creates a tenant and a key that works at once on both replicas; a revoke is refused on both within seconds', async () => {
    const created = await post(admin(), '/v1/admin/tenants', { id: 'tenant-made' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'tenant', id: 'tenant-made', status: 'active', disabled_at: null, active_keys: 0 });
    audited('tenant.create', 'tenant', 'tenant-made');
    const again = await post(admin(b), '/v1/admin/tenants', { id: 'tenant-made' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ type: 'invalid_request_error', code: 'tenant_exists', param: 'id' });
    expect((await post(admin(), '/v1/admin/tenants', { id: '../bad' })).body.error).toMatchObject({ code: 'invalid_request', param: 'id' });

    const made = await post(admin(), '/v1/admin/tenants/tenant-made/keys', { name: 'deploy bot' });
    expect(made.status).toBe(201);
    const { key, id: keyId } = made.body;
    expect(key).toMatch(/^cvk_[A-Za-z0-9_-]{43}$/);
    expect(made.body).toMatchObject({ object: 'api_key', tenant: 'tenant-made', name: 'deploy bot', source: 'api', status: 'active', last_used_at: null });
    expect(key.startsWith(made.body.prefix.split('…')[0])).toBe(true);
    audited('api_key.create', 'api_key', keyId);

    // Its first use on each replica, straight after the create.
    const [onA, onB] = [new Api(a, key), new Api(b, key)];
    const submitted = await onB.post('/v1/chat/completions', ask('new key'));
    expect(submitted.status).toBe(202);
    madeJobId = submitted.body.job_id;
    expect((await onA.get(`/v1/jobs/${submitted.body.job_id}`)).body).toMatchObject({ job_id: submitted.body.job_id, status: 'queued' });

    const listed = await admin(b).get('/v1/admin/tenants/tenant-made/keys');
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).toEqual({ ...made.body, key: undefined, last_used_at: expect.any(String) });
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(Date.parse(listed.body.data[0].last_used_at)).toBeGreaterThanOrEqual(Date.parse(made.body.created_at));

    const revoked = await admin(b).request('DELETE', `/v1/admin/keys/${keyId}`);
    expect(revoked.body).toMatchObject({ id: keyId, status: 'revoked', revoked_at: expect.any(String) });
    audited('api_key.revoke', 'api_key', keyId);
    // Both replicas hold the key in a ten-minute cache: only the broadcast can refuse it this soon.
    await within(
      3_000,
      'revoked key refused on both replicas',
      async () => (await onA.get('/v1/jobs')).status === 401 && (await onB.get('/v1/jobs')).status === 401,
    );
    expect((await onA.post('/v1/chat/completions', ask('revoked'))).body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    // Revoking again changes nothing and is not audited again.
    expect((await admin().request('DELETE', `/v1/admin/keys/${keyId}`)).body).toEqual(revoked.body);
    expect((await admin().request('DELETE', '/v1/admin/keys/0190a5b2-7c3d-7e4f-8a1b-000000000000')).body.error).toMatchObject({
      type: 'not_found_error',
      code: 'api_key_not_found',
    });
    // The keys configured in API_KEYS are listed too, and keep working.
    expect((await admin().get('/v1/admin/tenants/tenant-alice/keys')).body.data).toEqual([expect.objectContaining({ source: 'config', status: 'active' })]);
    expect((await new Api(b, CLUSTER_KEYS.alice).get('/v1/jobs')).status).toBe(200);
    expect((await admin().get('/v1/admin/tenants/tenant-made')).body).toMatchObject({ id: 'tenant-made', active_keys: 0 });
  });

  it('dead letters: a job rejected on the broker is listed with its reason and headers, discarded, or replayed once into its band', async () => {
    const alice = new Api(a, CLUSTER_KEYS.alice);
    const first = await alice.post('/v1/chat/completions', ask('poison me, then replay me'));
    const second = await alice.post('/v1/chat/completions', ask('poison me, then discard me'));
    await poison('tenant-alice', first.body.job_id);
    await poison('tenant-alice', second.body.job_id);
    await alice.waitForJob(first.body.job_id, ['failed']);
    await alice.waitForJob(second.body.job_id, ['failed']);

    let letters: any[] = [];
    await within(10_000, 'both dead letters recorded', async () => {
      letters = (await admin().get('/v1/admin/dead-letters?state=dead')).body.data;
      return letters.length === 2;
    });
    // Newest first.
    expect(letters.map((l) => l.job_id)).toEqual([second.body.job_id, first.body.job_id]);
    const queue = jobQueue('normal', shardOf('tenant-alice', DEFAULT_TOPOLOGY));
    for (const letter of letters) {
      expect(letter).toMatchObject({ object: 'dead_letter', tenant: 'tenant-alice', type: 'job.requested', priority: 'normal', queue, reason: 'rejected' });
      expect(letter).toMatchObject({ state: 'dead', settled_at: null, job_status: 'failed' });
      expect(letter.headers).toMatchObject({ 'x-first-death-reason': 'rejected', 'x-first-death-queue': queue, 'x-first-death-exchange': 'conveyor.jobs' });
      expect(letter.headers['x-death']).toEqual([expect.objectContaining({ reason: 'rejected', queue, count: 1 })]);
    }
    const [toDiscard, toReplay] = letters;
    const inspected = await admin(b).get(`/v1/admin/dead-letters/${toReplay.id}`);
    expect(inspected.body).toEqual({ ...toReplay, message: expect.objectContaining({ job_id: first.body.job_id, tenant_id: 'tenant-alice' }) });
    expect(inspected.body.message.messages).toEqual([{ role: 'user', content: 'poison me, then replay me' }]);

    const discarded = await post(admin(), `/v1/admin/dead-letters/${toDiscard.id}/discard`);
    expect(discarded.body).toMatchObject({ id: toDiscard.id, state: 'discarded', settled_at: expect.any(String), job_status: 'failed' });
    audited('dead_letter.discard', 'dead_letter', toDiscard.id);
    expect((await post(admin(), `/v1/admin/dead-letters/${toDiscard.id}/discard`)).body).toEqual(discarded.body);
    const replayDiscarded = await post(admin(), `/v1/admin/dead-letters/${toDiscard.id}/replay`);
    expect(replayDiscarded.status).toBe(409);
    expect(replayDiscarded.body.error.code).toBe('dead_letter_settled');

    // Replayed twice, from each replica at the same moment: one message goes back to the band.
    const replays = await Promise.all([
      post(admin(), `/v1/admin/dead-letters/${toReplay.id}/replay`),
      post(admin(b), `/v1/admin/dead-letters/${toReplay.id}/replay`),
    ]);
    expect(replays.map((r) => r.status)).toEqual([200, 200]);
    expect(replays[0]!.body).toEqual(replays[1]!.body);
    expect(replays[0]!.body).toMatchObject({ id: toReplay.id, state: 'replayed', job_status: 'queued' });
    audited('dead_letter.replay', 'dead_letter', toReplay.id);
    expect((await alice.get(`/v1/jobs/${first.body.job_id}`)).body).toMatchObject({ status: 'queued', error: null });
    // In the normal band now: the replayed job, and the job the revoked key submitted earlier (no worker ran yet).
    const workers = await admin().get('/v1/admin/workers');
    expect(workers.body).toEqual({
      object: 'list',
      data: [],
      queues: { high: { messages: 0, consumers: 0 }, normal: { messages: 2, consumers: 0 }, low: { messages: 0, consumers: 0 } },
    });
    expect((await admin().get('/v1/admin/dead-letters?state=dead')).body.data).toEqual([]);

    // A worker starts: both jobs run on it at once (the workers list shows them there), then complete.
    const worker = await cluster.addInference();
    let running: any;
    await within(10_000, 'both jobs shown running on the worker', async () => {
      running = (await admin(b).get('/v1/admin/workers')).body;
      return running.data[0]?.jobs.length === 2;
    });
    const byJob = (x: { job_id: string }, y: { job_id: string }) => x.job_id.localeCompare(y.job_id);
    expect(running.data).toEqual([
      {
        object: 'worker',
        id: `${cluster.spec.name}-inference-0`,
        slots: 3,
        busy: 2,
        jobs: expect.any(Array),
        started_at: expect.any(String),
        last_seen_at: expect.any(String),
      },
    ]);
    expect(running.data[0].jobs.sort(byJob)).toEqual(
      [
        { job_id: first.body.job_id, tenant: 'tenant-alice', started_at: expect.any(String) },
        { job_id: madeJobId, tenant: 'tenant-made', started_at: expect.any(String) },
      ].sort(byJob),
    );
    expect(running.queues.normal).toEqual({ messages: 0, consumers: 1 });
    const done = await alice.waitForJob(first.body.job_id);
    expect(done).toMatchObject({ status: 'completed', error: null });
    expect((await admin().get(`/v1/admin/dead-letters/${toReplay.id}`)).body).toMatchObject({ state: 'replayed', job_status: 'completed' });
    expect((await alice.get(`/v1/jobs/${second.body.job_id}`)).body.status).toBe('failed');

    // The worker stops: it drops out of the list after three missed beats.
    await worker.stop();
    await within(5_000, 'the stopped worker forgotten', async () => (await admin().get('/v1/admin/workers')).body.data.length === 0);
  });

  it('a disabled tenant’s keys get 403 tenant_disabled on both replicas while its accepted job runs on; enabled, they work again', async () => {
    await cluster.addInference();
    const bob = [new Api(a, CLUSTER_KEYS.bob), new Api(b, CLUSTER_KEYS.bob)];
    const accepted = await bob[0]!.post('/v1/chat/completions', ask('finish me anyway'));
    expect(accepted.status).toBe(202);
    expect((await bob[1]!.get('/v1/jobs')).status).toBe(200);

    const disabled = await post(admin(b), '/v1/admin/tenants/tenant-bob/disable');
    expect(disabled.body).toMatchObject({ id: 'tenant-bob', status: 'disabled', disabled_at: expect.any(String), active_keys: 1 });
    audited('tenant.disable', 'tenant', 'tenant-bob');
    await within(
      3_000,
      'bob refused on both replicas',
      async () => (await bob[0]!.get('/v1/jobs')).status === 403 && (await bob[1]!.get('/v1/jobs')).status === 403,
    );
    const refused = await bob[1]!.post('/v1/chat/completions', ask('refused'));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ message: "The tenant 'tenant-bob' is disabled.", type: 'permission_error', param: null, code: 'tenant_disabled' });
    // Disabling again changes nothing (and is not audited again); other tenants are untouched.
    expect((await post(admin(), '/v1/admin/tenants/tenant-bob/disable')).body.disabled_at).toBe(disabled.body.disabled_at);
    expect((await new Api(a, CLUSTER_KEYS.alice).get('/v1/jobs')).status).toBe(200);

    // The job accepted before runs to its end (read from its row: its tenant's keys are refused meanwhile).
    await within(15_000, 'bob’s accepted job completed', async () => (await jobStatus(accepted.body.job_id)) === 'completed');

    const enabled = await post(admin(), '/v1/admin/tenants/tenant-bob/enable');
    expect(enabled.body).toMatchObject({ status: 'active', disabled_at: null });
    audited('tenant.enable', 'tenant', 'tenant-bob');
    await within(
      3_000,
      'bob accepted again on both replicas',
      async () => (await bob[0]!.get('/v1/jobs')).status === 200 && (await bob[1]!.get('/v1/jobs')).status === 200,
    );
    expect((await bob[1]!.get(`/v1/jobs/${accepted.body.job_id}`)).body.status).toBe('completed');
  });

  it('puts a tenant’s limits through the same API, and lists every change in the audit log exactly, newest first, by pages', async () => {
    expect((await admin().request('PUT', '/v1/admin/tenants/tenant-made/limits', ...json({ priorities: ['low'] }))).status).toBe(200);
    audited('tenant.limits.update', 'tenant', 'tenant-made');

    const log = await admin(b).get('/v1/admin/audit?limit=100');
    expect(log.body.has_more).toBe(false);
    expect(log.body.data.map((e: any) => ({ action: e.action, target: e.target }))).toEqual(expectedAudit);
    for (const entry of log.body.data) expect(entry).toMatchObject({ object: 'audit_entry', admin_id: ADMIN_ID, at: expect.any(String) });
    expect(log.body.data[0].details).toEqual({ overrides: { priorities: ['low'] } });
    expect(JSON.stringify(log.body)).not.toContain(ADMIN_KEY);

    const firstPage = await admin().get('/v1/admin/audit?limit=3');
    expect(firstPage.body).toMatchObject({ has_more: true, first_id: log.body.data[0].id, last_id: log.body.data[2].id });
    const secondPage = await admin().get(`/v1/admin/audit?limit=100&after=${firstPage.body.last_id}`);
    expect([...firstPage.body.data, ...secondPage.body.data]).toEqual(log.body.data);
    expect((await admin().get('/v1/admin/audit?action=api_key.revoke')).body.data).toHaveLength(1);
    expect((await admin().get('/v1/admin/audit?target=tenant-bob')).body.data.map((e: any) => e.action)).toEqual(['tenant.enable', 'tenant.disable']);
    expect((await admin().get('/v1/admin/audit?limit=0')).body.error).toMatchObject({ code: 'invalid_request', param: 'limit' });
  });

  /** A job's status as its row in PostgreSQL has it. */
  async function jobStatus(jobId: string): Promise<string> {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: cluster.directDatabaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [jobId]);
      return rows[0]?.status ?? 'none';
    } finally {
      await client.end();
    }
  }
});
