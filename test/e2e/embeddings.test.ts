import OpenAI from 'openai';
import { JobViewSchema } from '@conveyor/contracts';
import { Cluster, CLUSTER_KEYS } from '../support/cluster.util';
import { Api } from '../support/http.util';
import { geminiEmbeddingsReply, mockEmbedding, MOCK_EMBEDDING_DIMENSIONS, openAiEmbeddingsReply } from '../support/mock-llm/embeddings.fixture';
import { MockUpstream } from '../support/mock-llm/mock-upstream.server';
import { jsonReply } from '../support/mock-llm/reply.util';

const f32 = (v: number[]) => v.map(Math.fround);
const CAROL_KEY = 'tok-carol-embeddings';
const ADMIN_KEY = 'adm-embeddings-e2e';
const decode = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
};

/**
 * `POST /v1/embeddings` (and `/openai/v1/embeddings`, seed 004's `/embeddings`) on the separate services over the
 * real RabbitMQ and PostgreSQL, in a vhost and database of their own: each request is a queued job a worker routes
 * to wire-compatible upstreams (OpenAI's `/v1/embeddings`, Gemini's `batchEmbedContents`), and its usage is the
 * tenant's like a completion's.
 */
describe('embeddings on the separate services (RabbitMQ + PostgreSQL)', () => {
  let cluster: Cluster;
  let openai: MockUpstream;
  let gemini: MockUpstream;
  let down: MockUpstream;
  let alice: Api;
  let bob: Api;

  beforeAll(async () => {
    openai = await MockUpstream.start(openAiEmbeddingsReply());
    gemini = await MockUpstream.start(geminiEmbeddingsReply());
    down = await MockUpstream.start(jsonReply(503, { error: { message: 'overloaded', type: 'server_error' } }));
    const embed = (name: string, deployment: Record<string, unknown>) => ({ name, kind: 'embedding', deployments: [{ id: name, ...deployment }] });
    cluster = await Cluster.start({
      name: `embeddings_${process.pid}`,
      inference: 1,
      streaming: false,
      notification: false,
      catalog: {
        models: [
          { name: 'simulated', deployments: [{ id: 'simulated', provider: 'simulated', upstream_model: 'simulated' }] },
          embed('oa-embed', { provider: 'openai', upstream_model: 'text-embedding-3-small', base_url: `${openai.url}/v1` }),
          embed('gem-embed', { provider: 'gemini', upstream_model: 'gemini-embedding-001', base_url: gemini.url, api_key_env: 'GEMINI_TEST_KEY' }),
          embed('down-embed', { provider: 'openai', upstream_model: 'text-embedding-3-small', base_url: `${down.url}/v1` }),
          embed('sim-embed', { provider: 'simulated', upstream_model: 'simulated' }),
        ],
        groups: [
          { name: 'vectors', models: ['down-embed', 'oa-embed'] },
          { name: 'nowhere', models: ['down-embed'] },
        ],
      },
      env: {
        API_KEYS: `${CLUSTER_KEYS.alice}:tenant-alice,${CLUSTER_KEYS.bob}:tenant-bob,${CAROL_KEY}:tenant-carol`,
        ADMIN_API_KEYS: ADMIN_KEY,
        ADMISSION_REFRESH_MS: '200',
        BUDGET_CHECK_CACHE_MS: '0',
        GEMINI_TEST_KEY: 'AIza-e2e-key',
        ROUTING_MAX_RETRIES: '0',
        ROUTING_BACKOFF_BASE_MS: '10',
        ROUTING_BACKOFF_MAX_MS: '50',
        SIMULATED_TTFT_MS: '20',
      },
    });
    alice = new Api(cluster.gatewayUrl, CLUSTER_KEYS.alice);
    bob = new Api(cluster.gatewayUrl, CLUSTER_KEYS.bob);
  });

  afterAll(async () => {
    await cluster?.destroy();
    await Promise.all([openai, gemini, down].map((u) => u?.close()));
  });

  it("answers OpenAI's list through the openai SDK, the same vectors as the float and base64 forms, as a completed job", async () => {
    const client = new OpenAI({ baseURL: `${cluster.gatewayUrl}/openai/v1`, apiKey: CLUSTER_KEYS.alice, maxRetries: 0 });
    const inputs = ['the first text', 'a second one'];
    const viaSdk = await client.embeddings.create({ model: 'oa-embed', input: inputs, dimensions: 5 });
    const expected = inputs.map((t) => f32(mockEmbedding(t, 5)));
    expect(viaSdk.object).toBe('list');
    expect(viaSdk.model).toBe('oa-embed');
    expect(viaSdk.data.map((d) => [d.object, d.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    expect(viaSdk.data.map((d) => Array.from(d.embedding))).toEqual(expected);
    expect(viaSdk.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });

    const float = await alice.post('/v1/embeddings', { model: 'oa-embed', input: inputs, dimensions: 5 });
    const base64 = await alice.post('/v1/embeddings', { model: 'oa-embed', input: inputs, dimensions: 5, encoding_format: 'base64' });
    expect(float.status).toBe(200);
    expect(float.body.data.map((d: any) => d.embedding)).toEqual(expected);
    expect(base64.body.data.map((d: any) => decode(d.embedding))).toEqual(float.body.data.map((d: any) => d.embedding));

    const job = await alice.waitForJob(float.headers.get('x-conveyor-job-id')!);
    expect(job).toMatchObject({ status: 'completed', model: 'oa-embed', priority: 'normal' });
    expect(job.provider_attempts).toEqual([expect.objectContaining({ deployment: 'oa-embed', outcome: 'ok' })]);
    // A caller who did not wait can read the vectors from the job: OpenAI's list, in base64.
    expect(JobViewSchema.strict().safeParse(job).success).toBe(true);
    expect(job.result).toEqual(base64.body);
    expect(openai.requests.at(-1)!.body).toMatchObject({ model: 'text-embedding-3-small', input: inputs, dimensions: 5 });
  });

  it("routes to Gemini's batchEmbedContents, honours dimensions, and leaves the upstream's default length otherwise", async () => {
    const sized = await alice.post('/v1/embeddings', { model: 'gem-embed', input: ['alpha', 'beta'], dimensions: 3 });
    expect(sized.status).toBe(200);
    expect(sized.body.data.map((d: any) => d.embedding)).toEqual([f32(mockEmbedding('alpha', 3)), f32(mockEmbedding('beta', 3))]);
    expect(gemini.requests.at(-1)!.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    const whole = await alice.post('/v1/embeddings', { model: 'gem-embed', input: 'alpha' });
    expect(whole.body.data[0].embedding).toHaveLength(MOCK_EMBEDDING_DIMENSIONS);
    expect(whole.body.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("falls back across a group's models when one upstream is down, and answers 503 when none is up", async () => {
    const routed = await alice.post('/v1/embeddings', { model: 'vectors', input: 'fall back' });
    expect(routed.status).toBe(200);
    expect(routed.body.data[0].embedding).toEqual(f32(mockEmbedding('fall back')));
    const job = await alice.waitForJob(routed.headers.get('x-conveyor-job-id')!);
    expect(job.provider_attempts.map((a: any) => [a.deployment, a.outcome])).toEqual([
      ['down-embed', 'error'],
      ['oa-embed', 'ok'],
    ]);

    const none = await alice.post('/v1/embeddings', { model: 'nowhere', input: 'no luck' });
    expect(none.status).toBe(503);
    expect(none.headers.get('retry-after')).not.toBeNull();
    expect(none.body.error).toMatchObject({ code: 'providers_unavailable', type: 'service_unavailable' });
  });

  it('answers bad requests in OpenAI’s error shape before anything is queued', async () => {
    const cases: Array<[unknown, number, string | null, string]> = [
      [{ model: 'oa-embed', input: [] }, 400, 'input', 'invalid_request'],
      [{ model: 'oa-embed', input: '' }, 400, 'input', 'invalid_request'],
      [{ model: 'oa-embed', input: Array(2049).fill('x') }, 400, 'input', 'invalid_request'],
      [{ model: 'oa-embed', input: [[1, 2, 3]] }, 400, 'input', 'invalid_request'],
      [{ model: 'oa-embed', input: 'x', encoding_format: 'int8' }, 400, 'encoding_format', 'invalid_request'],
      [{ model: 'oa-embed', input: 'x', dimensions: 0 }, 400, 'dimensions', 'invalid_request'],
      [{ model: 'no-such-model', input: 'x' }, 404, 'model', 'model_not_found'],
      [{ model: 'simulated', input: 'x' }, 400, 'model', 'invalid_request'],
    ];
    const before = openai.requests.length;
    for (const [body, status, param, code] of cases) {
      const res = await alice.post('/v1/embeddings', body);
      expect([res.status, res.body.error?.param, res.body.error?.code]).toEqual([status, param, code]);
      expect(res.body.error.type).toBe('invalid_request_error');
    }
    expect((await alice.as(undefined).post('/v1/embeddings', { model: 'oa-embed', input: 'x' })).status).toBe(401);
    // A chat request naming an embedding model is refused the same way.
    const chat = await alice.post('/v1/chat/completions', { model: 'oa-embed', messages: [{ role: 'user', content: 'x' }] });
    expect([chat.status, chat.body.error.param]).toEqual([400, 'model']);
    expect(openai.requests.length).toBe(before);
  });

  it("records the usage per tenant like a completion's, with the upstream's tokens and no completion tokens", async () => {
    const first = await bob.post('/v1/embeddings', { model: 'oa-embed', input: ['one two three', 'four'] });
    const second = await bob.post('/embeddings', { model: 'oa-embed', texts: ['five six'] });
    expect([first.status, second.status]).toEqual([200, 200]);
    await bob.waitForJob(second.headers.get('x-conveyor-job-id')!);
    const usage = await bob.get('/v1/usage');
    expect(usage.body.data).toEqual([{ model: 'oa-embed', requests: 2, prompt_tokens: 6, completion_tokens: 0, total_tokens: 6 }]);
  });

  it("answers seed 004's POST /embeddings with the batch's float vectors in order, queued at the seed's priority", async () => {
    const res = await alice.post('/embeddings', { model: 'oa-embed', texts: ['un', 'deux', 'trois'], priority: -10 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      task_id: res.headers.get('x-conveyor-job-id'),
      model: 'oa-embed',
      dimensions: MOCK_EMBEDDING_DIMENSIONS,
      embeddings: ['un', 'deux', 'trois'].map((t) => f32(mockEmbedding(t))),
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    expect((await alice.waitForJob(res.body.task_id)).priority).toBe('low');
    expect((await alice.post('/embeddings', { texts: [] })).body.error.param).toBe('texts');
  });

  it('takes the priority from X-Priority, and an Idempotency-Key replays the first answer without a second job', async () => {
    const headers = { 'x-priority': 'high', 'idempotency-key': `embed-${process.pid}` };
    const before = openai.requests.length;
    const first = await alice.post('/v1/embeddings', { model: 'oa-embed', input: 'once only' }, headers);
    const again = await alice.post('/v1/embeddings', { model: 'oa-embed', input: 'once only' }, headers);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('x-conveyor-job-id')).toBe(first.headers.get('x-conveyor-job-id'));
    expect(openai.requests.length).toBe(before + 1);
    expect((await alice.waitForJob(first.headers.get('x-conveyor-job-id')!)).priority).toBe('high');
  });

  it('embeds with the simulated provider when the catalogue says so: deterministic unit vectors', async () => {
    const a = await alice.post('/v1/embeddings', { model: 'sim-embed', input: ['same text', 'other text'], dimensions: 16 });
    const b = await alice.post('/v1/embeddings', { model: 'sim-embed', input: 'same text', dimensions: 16 });
    expect(b.body.data[0].embedding).toEqual(a.body.data[0].embedding);
    expect(a.body.data[1].embedding).not.toEqual(a.body.data[0].embedding);
    const norm = Math.sqrt(a.body.data[0].embedding.reduce((s: number, v: number) => s + v * v, 0));
    expect(norm).toBeCloseTo(1, 5);
  });

  it("is admitted like a completion: the tenant's rate limit and token budget refuse it with 429, and a tokens-per-minute charge counts its inputs alone", async () => {
    const carol = new Api(cluster.gatewayUrl, CAROL_KEY);
    const admin = new Api(cluster.gatewayUrl, ADMIN_KEY);
    const setLimits = async (limits: unknown) => {
      const res = await admin.request('PUT', '/v1/admin/tenants/tenant-carol/limits', JSON.stringify(limits), { 'content-type': 'application/json' });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 600)); // ADMISSION_REFRESH_MS is 200
    };

    // 60 tokens a minute: an embedding of a few words fits; a chat request is charged RATE_LIMIT_DEFAULT_MAX_TOKENS (1024) for its completion and does not.
    await setLimits({ rate_limits: { tenant: { tpm: 60 } } });
    const fits = await carol.post('/v1/embeddings', { model: 'oa-embed', input: 'a few words' });
    expect(fits.status).toBe(200);
    expect(Number(fits.headers.get('x-ratelimit-remaining-tokens'))).toBeGreaterThan(40);
    const chat = await carol.post('/v1/chat/completions', { model: 'simulated', messages: [{ role: 'user', content: 'a few words' }] });
    expect([chat.status, chat.body.error.code]).toEqual([429, 'rate_limit_exceeded']);

    await setLimits({ rate_limits: { tenant: { tpm: null, rpm: 1, burst: 1 } } });
    expect((await carol.post('/v1/embeddings', { model: 'oa-embed', input: 'first' })).status).toBe(200);
    const limited = await carol.post('/v1/embeddings', { model: 'oa-embed', input: 'second' });
    expect([limited.status, limited.body.error.code]).toEqual([429, 'rate_limit_exceeded']);
    expect(limited.headers.get('retry-after')).not.toBeNull();

    // What carol spent so far (the mock counts words) is past a daily budget of 2 tokens.
    await setLimits({ rate_limits: { tenant: { rpm: null, burst: null } }, budgets: { daily_tokens: 2 } });
    const broke = await carol.post('/v1/embeddings', { model: 'oa-embed', input: 'third' });
    expect([broke.status, broke.body.error.code]).toEqual([429, 'insufficient_quota']);
  });
});
