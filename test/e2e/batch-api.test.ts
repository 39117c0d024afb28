import { randomBytes, randomUUID } from 'node:crypto';
import { combinedRequestItems, type ChatMessage } from '@conveyor/contracts';
import { GenerationResponseSchema, SettingsViewSchema } from '../../apps/gateway/src/batch-api/batch-api-views.schema';
import { Cluster } from '../support/cluster.util';
import { openDataSource } from '../support/database.util';
import { Api } from '../support/http.util';
import { MockUpstream, type Reply } from '../support/mock-llm/mock-upstream.server';
import { openAiStreamFrames } from '../support/mock-llm/openai-stream.fixture';
import { sseReply } from '../support/mock-llm/reply.util';

const TENANTS = { alice: 'tok-b2-alice-0001', bob: 'tok-b2-bob-00001', carol: 'tok-b2-carol-0001', dave: 'tok-b2-dave-00001' } as const;
const OPERATOR_KEY = 'sk-operator-upstream-0001';
const OWN_KEY = `sk-tenant-own-${randomBytes(8).toString('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds of its answer, at most `timeoutMs` (each poll a real request). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

/**
 * Seed 002's batch API on the separate services over the real RabbitMQ and PostgreSQL (a vhost and database of
 * their own): `/v1/query`, `/v1/chat`, `/v1/settings` and `/v1/analytics`, a settings change reaching a second
 * gateway replica and a worker without a restart, and a tenant's own provider key reaching the upstream it is for.
 */
describe('seed 002 batch API (separate processes, real RabbitMQ and PostgreSQL)', () => {
  let cluster: Cluster;
  let upstream: MockUpstream;
  let second: string;
  const api = (who: keyof typeof TENANTS, base = cluster.gatewayUrl) => new Api(base, TENANTS[who]);
  const put = (who: keyof typeof TENANTS, body: unknown, base?: string) =>
    api(who, base).request('PUT', '/v1/settings', JSON.stringify(body), { 'content-type': 'application/json' });

  beforeAll(async () => {
    // A combined batch call is answered in its JSON shape, one answer per index; any other call with plain text.
    const answer: Reply = (res, req, recorded) => {
      const items = combinedRequestItems((recorded.body.messages ?? []) as ChatMessage[]);
      const text = items ? JSON.stringify({ answers: items.map((i) => ({ index: i.index, text: `answer ${i.index}` })) }) : 'from upstream';
      return sseReply(openAiStreamFrames({ pieces: [text], finishReason: 'stop', done: true }))(res, req, recorded);
    };
    upstream = await MockUpstream.start(answer);
    cluster = await Cluster.start({
      name: `b2_${randomBytes(4).toString('hex')}`,
      inference: 1,
      streaming: false,
      notification: false,
      env: {
        API_KEYS: Object.entries(TENANTS)
          .map(([who, key]) => `${key}:tenant-b2-${who}`)
          .join(','),
        SETTINGS_ENCRYPTION_KEY: 'e2e-settings-encryption-key-0123',
        // Only a broadcast can bring a change to another replica within this test's waits.
        SETTINGS_REFRESH_MS: '600000',
        SIMULATED_TTFT_MS: '50',
        SIMULATED_MIN_TOKENS: '4',
        SIMULATED_MAX_TOKENS: '8',
        OPERATOR_UPSTREAM_KEY: OPERATOR_KEY,
      },
      catalog: {
        models: [
          { name: 'simulated', deployments: [{ id: 'simulated', provider: 'simulated', upstream_model: 'simulated' }] },
          {
            name: 'byok',
            deployments: [
              { id: 'byok-main', provider: 'openai', upstream_model: 'gpt-test', base_url: `${upstream.url}/v1`, api_key_env: 'OPERATOR_UPSTREAM_KEY' },
            ],
          },
        ],
        groups: [],
      },
    });
    second = await cluster.addGateway();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
    await upstream?.close();
  });

  it("answers POST /v1/query with the seed's GenerationResponse, from the job it ran as", async () => {
    const body = { username: 'user', request_id: 'uuid-or-string', prompt: 'Your question here', created_at: '2026-02-01T12:00:00Z', priority: 'HIGH' };
    const res = await api('alice').post('/v1/query', body);
    expect(res.status).toBe(200);
    expect(GenerationResponseSchema.strict().safeParse(res.body).success).toBe(true);
    const job = (await api('alice').get(`/v1/jobs/${res.body.job_id}`)).body;
    expect(res.headers.get('x-conveyor-job-id')).toBe(job.job_id);
    expect(job).toMatchObject({
      status: 'completed',
      priority: 'high',
      metadata: { username: 'user', request_id: 'uuid-or-string', client_created_at: body.created_at },
    });
    expect(res.body).toEqual({
      request_id: 'uuid-or-string',
      username: 'user',
      text: job.result.choices[0].message.content,
      tokens_used: job.result.usage.total_tokens,
      latency_ms: new Date(job.timestamps.completed).getTime() - new Date(job.created_at).getTime(),
      created_at: body.created_at,
      completed_at: job.timestamps.completed,
      job_id: job.job_id,
      priority: 'HIGH',
      batch_id: job.batch_id,
    });
    expect(res.body.tokens_used).toBeGreaterThan(0);
  });

  it('round-trips settings with the key masked; the key is sealed in PostgreSQL and in no service log', async () => {
    const before = await api('bob').get('/v1/settings');
    expect(before.body).toEqual({
      api_key: null,
      high_priority: { tokens: 32768, latency_ms: 500 },
      medium_priority: { tokens: 32768, latency_ms: 2000 },
      low_priority: { tokens: 32768, latency_ms: 5000 },
      provider_keys: [],
      default_deployment: 'simulated',
      updated_at: null,
    });
    const key = `sk-bob-${randomUUID()}`;
    const changed = await put('bob', { api_key: key, high_priority: { tokens: 1000, latency_ms: 500 }, medium_priority: { tokens: 5000 } });
    expect(changed.status).toBe(200);
    expect(SettingsViewSchema.strict().safeParse(changed.body).success).toBe(true);
    expect(changed.body).toMatchObject({
      api_key: `***${key.slice(-4)}`,
      high_priority: { tokens: 1000, latency_ms: 500 },
      medium_priority: { tokens: 5000, latency_ms: 2000 },
      low_priority: { tokens: 32768, latency_ms: 5000 },
      provider_keys: [{ deployment: 'simulated', api_key: `***${key.slice(-4)}`, updated_at: expect.any(String) }],
    });
    // Partial: only latency_ms of low changes; the rest stays as it was.
    const partial = await put('bob', { low_priority: { latency_ms: 7000 } });
    expect(partial.body).toMatchObject({ api_key: `***${key.slice(-4)}`, high_priority: { tokens: 1000 }, low_priority: { tokens: 32768, latency_ms: 7000 } });
    expect((await api('bob', second).get('/v1/settings')).body).toEqual(partial.body);
    // Another tenant sees its own settings only.
    expect((await api('carol').get('/v1/settings')).body.api_key).toBeNull();

    const db = await openDataSource(cluster.directDatabaseUrl, 1);
    try {
      const rows: Array<{ sealed_key: string; key_last4: string }> = await db.query(
        "SELECT sealed_key, key_last4 FROM tenant_provider_keys WHERE tenant_id = 'tenant-b2-bob'",
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]!.sealed_key).toMatch(/^v1:/);
      expect(rows[0]!.sealed_key).not.toContain(key);
      expect(rows[0]!.key_last4).toBe(key.slice(-4));
    } finally {
      await db.destroy();
    }
    const removed = await put('bob', { api_key: null });
    expect(removed.body).toMatchObject({ api_key: null, provider_keys: [] });
    for (const service of cluster.services) expect(service.logs).not.toContain(key);
  });

  it("calls the upstream with the tenant's own key for that deployment, the operator's for others, and again after the key is removed", async () => {
    const authOfNext = async (who: keyof typeof TENANTS) => {
      const seen = upstream.requests.length;
      const res = await api(who).post('/v1/query', { username: who, prompt: 'whose key?', model: 'byok' });
      expect(res.status).toBe(200);
      expect(res.body.text).toBe('from upstream');
      expect(upstream.requests.length).toBe(seen + 1);
      return upstream.requests.at(-1)!.headers.authorization;
    };
    expect(await authOfNext('alice')).toBe(`Bearer ${OPERATOR_KEY}`);
    const set = await put('alice', { api_key: OWN_KEY, deployment: 'byok-main' });
    expect(set.body.provider_keys).toEqual([{ deployment: 'byok-main', api_key: `***${OWN_KEY.slice(-4)}`, updated_at: expect.any(String) }]);
    // The worker read alice's (empty) keys for her first job; only the broadcast makes it read them again.
    expect(await authOfNext('alice')).toBe(`Bearer ${OWN_KEY}`);
    expect(await authOfNext('dave')).toBe(`Bearer ${OPERATOR_KEY}`);
    // A combined batch of alice's queries is one upstream call, made with her key.
    const seen = upstream.requests.length;
    const batched = await Promise.all(
      [1, 2].map((n) => api('alice').post('/v1/query', { username: 'alice', prompt: `together ${n}`, model: 'byok', priority: 'HIGH' })),
    );
    expect(upstream.requests.length).toBe(seen + 1);
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${OWN_KEY}`);
    expect(batched.map((r) => r.body.text).sort()).toEqual(['answer 0', 'answer 1']);
    expect(batched[0]!.body.batch_id).toEqual(expect.any(String));
    expect(batched[1]!.body.batch_id).toBe(batched[0]!.body.batch_id);
    expect((await api('alice').get(`/v1/jobs/${batched[0]!.body.job_id}`)).body.batch).toMatchObject({ mode: 'combined', size: 2, fallback: false });
    await put('alice', { api_key: null, deployment: 'byok-main' });
    expect(await authOfNext('alice')).toBe(`Bearer ${OPERATOR_KEY}`);
    for (const service of cluster.services) expect(service.logs).not.toContain(OWN_KEY);
  });

  it('applies a change made on one gateway replica on the other without a restart (broadcast), and caps max_tokens by it', async () => {
    const onSecond = api('dave', second);
    expect((await onSecond.get('/v1/settings')).body.high_priority.tokens).toBe(32768); // now cached there
    expect((await put('dave', { high_priority: { tokens: 7 } })).status).toBe(200);
    const seen = await eventually(
      () => onSecond.get('/v1/settings'),
      (res) => res.body.high_priority.tokens === 7,
    );
    expect(seen.body.high_priority).toEqual({ tokens: 7, latency_ms: 500 });
    const asked = await onSecond.post('/v1/query', { username: 'dave', prompt: 'short please', priority: 'HIGH' });
    // The cap clamps every route's max_tokens in that band; other bands keep theirs.
    const high = await onSecond.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }], priority: 'high', max_tokens: 100 });
    const low = await onSecond.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }], priority: 'low', max_tokens: 100 });
    const db = await openDataSource(cluster.directDatabaseUrl, 1);
    try {
      const ids = [asked.body.job_id, high.body.job_id, low.body.job_id];
      const rows: Array<{ id: string; max_tokens: number }> = await db.query(
        "SELECT id, (params->>'max_tokens')::int AS max_tokens FROM jobs WHERE id = ANY($1)",
        [ids],
      );
      expect(ids.map((id) => rows.find((r) => r.id === id)?.max_tokens)).toEqual([7, 7, 100]);
    } finally {
      await db.destroy();
    }
  });

  it('pages GET /v1/chat newest first, with only the tenant’s own pairs', async () => {
    const carol = api('carol');
    const asked: any[] = [];
    for (const priority of ['LOW', 'HIGH', 'MEDIUM'])
      asked.push((await carol.post('/v1/query', { username: 'carol', prompt: `chat ${priority}`, priority })).body);
    const first = (await carol.get('/v1/chat?limit=2')).body;
    expect(first).toMatchObject({ count: 2, has_more: true, last_id: asked[1]!.job_id });
    const rest = (await carol.get(`/v1/chat?limit=2&after=${first.last_id}`)).body;
    expect(rest).toMatchObject({ count: 1, has_more: false, last_id: asked[0]!.job_id });
    const chats = [...first.chats, ...rest.chats];
    expect(chats.map((c: any) => c.job_id)).toEqual(asked.map((a) => a.job_id).reverse());
    expect(chats.map((c: any) => [c.request.prompt, c.request.priority])).toEqual([
      ['chat MEDIUM', 1],
      ['chat HIGH', 2],
      ['chat LOW', 0],
    ]);
    for (const chat of chats) {
      const answer = asked.find((a) => a.job_id === chat.job_id);
      expect(chat).toMatchObject({ status: 'completed', batch_id: answer.batch_id, response: answer, request: { username: 'carol', request_id: chat.job_id } });
    }
    const others = (await api('alice').get('/v1/chat?limit=100')).body.chats.map((c: any) => c.job_id);
    expect(others.filter((id: string) => asked.some((a) => a.job_id === id))).toEqual([]);
  });

  it("counts the tenant's requests in GET /v1/analytics: per priority, per day, batches and mean wait per band", async () => {
    const carol = api('carol');
    const jobs = (await carol.get('/v1/jobs?limit=100')).body.data;
    const band = (b: string) => jobs.filter((j: any) => j.priority === b);
    const analytics = (await carol.get('/v1/analytics')).body;
    const today = new Date().toISOString().slice(0, 10);
    expect(analytics).toMatchObject({
      total_requests: jobs.length,
      high_priority: band('high').length,
      medium_priority: band('normal').length,
      low_priority: band('low').length,
      request_count_over_time: [{ date: today, count: jobs.length }],
      priority_distribution: [
        { name: 'High', value: band('high').length },
        { name: 'Medium', value: band('normal').length },
        { name: 'Low', value: band('low').length },
      ],
    });
    const batches = (b: string) => new Set(band(b).flatMap((j: any) => (j.batch_id ? [j.batch_id] : []))).size;
    expect(analytics.total_batches).toBe(batches('high') + batches('normal') + batches('low'));
    for (const [i, b] of ['high', 'normal', 'low'].entries()) {
      const row = analytics.per_priority[i];
      expect(row).toMatchObject({ priority: ['HIGH', 'MEDIUM', 'LOW'][i], requests: band(b).length, batches: batches(b) });
      const waits = band(b).map((j: any) => new Date(j.timestamps.started).getTime() - new Date(j.created_at).getTime());
      expect(row.mean_wait_ms).toBeCloseTo(waits.reduce((s: number, w: number) => s + w, 0) / waits.length, 0);
    }
  });

  it('answers 504 past the band’s latency target, and the job runs on, findable by its id', async () => {
    const impatient = await cluster.addGateway({ QUERY_TIMEOUT_GRACE_MS: '0' });
    const dave = api('dave', impatient);
    await put('dave', { low_priority: { latency_ms: 1 } }, impatient);
    const res = await dave.post('/v1/query', { username: 'dave', prompt: 'take your time', priority: 'LOW' });
    expect(res.status).toBe(504);
    expect(res.body.error).toMatchObject({ type: 'server_error', code: 'wait_timeout', param: null });
    const jobId = res.headers.get('x-conveyor-job-id')!;
    expect(res.body.error.message).toContain(jobId);
    expect((await dave.waitForJob(jobId)).status).toBe('completed');
  });

  it("refuses bad input with OpenAI's error shape and the right status", async () => {
    const alice = api('alice');
    const cases: Array<[string, () => Promise<any>, number, string | null]> = [
      ['no username', () => alice.post('/v1/query', { prompt: 'x' }), 400, 'username'],
      ['an unknown priority', () => alice.post('/v1/query', { username: 'u', prompt: 'x', priority: 'URGENT' }), 400, 'priority'],
      ['a bad created_at', () => alice.post('/v1/query', { username: 'u', prompt: 'x', created_at: 'yesterday' }), 400, 'created_at'],
      ['an unknown model', () => alice.post('/v1/query', { username: 'u', prompt: 'x', model: 'nope' }), 404, 'model'],
      ['tokens of 0', () => put('alice', { high_priority: { tokens: 0 } }), 400, 'high_priority.tokens'],
      ['tokens past MAX_TOKENS_CAP', () => put('alice', { low_priority: { tokens: 10_000_000 } }), 400, 'low_priority.tokens'],
      ['a key for an unknown deployment', () => put('alice', { api_key: 'sk-something-long', deployment: 'nope' }), 400, 'deployment'],
      ['a key too short', () => put('alice', { api_key: 'short' }), 400, 'api_key'],
      ['a page of 0', () => alice.get('/v1/chat?limit=0'), 400, 'limit'],
      ['a cursor that is no job id', () => alice.get('/v1/chat?after=nope'), 400, 'after'],
      ['no key', () => alice.as(undefined).get('/v1/analytics'), 401, null],
    ];
    for (const [what, send, status, param] of cases) {
      const res = await send();
      expect({ what, status: res.status }).toEqual({ what, status });
      expect(res.body.error).toEqual({ message: expect.any(String), type: expect.any(String), param: param ?? res.body.error.param, code: expect.any(String) });
      if (param) expect(res.body.error.param).toBe(param);
    }
    for (const service of cluster.services) expect(service.logs).not.toContain('sk-something-long');
  });
});
