import { Api, SEED_BODY } from '../support/http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';

const SECRETS = ['tok-alice-secret', 'tok-bob-secret', 'tok-bad-input-key'];

/**
 * The embedded default, as a newcomer runs it: one process, the in-process broker, an in-memory PGlite,
 * the simulated provider and the demo keys — driven over real HTTP.
 */
describe('embedded mode (one process, nothing to install: in-process broker, embedded PGlite)', () => {
  let app: ServiceProcess;
  let alice: Api;
  let bob: Api;
  let bad: Api;

  beforeAll(async () => {
    const port = await freePort();
    app = ServiceProcess.start('embedded', {
      PORT: String(port),
      STREAMING_PORT: '0',
      HOST: '127.0.0.1',
      EMBEDDED_DATA_DIR: 'memory',
      LOG_LEVEL: 'log',
      API_KEYS: 'tok-alice-secret:tenant-alice,tok-bob-secret:tenant-bob,tok-bad-input-key:tenant-bad',
      WORKER_CONCURRENCY: '1',
      SIMULATED_TTFT_MS: '150',
      SIMULATED_TOKENS_PER_SECOND: '200',
      SIMULATED_MIN_TOKENS: '4',
      SIMULATED_MAX_TOKENS: '12',
      BODY_LIMIT_BYTES: '65536',
      MAX_TOKENS_CAP: '4096',
    });
    await app.waitForLog(/Conveyor is running/, 60_000);
    const base = `http://127.0.0.1:${port}`;
    alice = new Api(base, 'tok-alice-secret');
    bob = new Api(base, 'tok-bob-secret');
    bad = new Api(base, 'tok-bad-input-key');
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('prints where it listens and a curl to try', () => {
    expect(app.logs).toMatch(/broker=in-process, database=embedded/);
    expect(app.logs).toMatch(/curl -s -X POST http:\/\/localhost:\d+\/v1\/chat\/completions/);
    expect(app.logs).toContain('Authorization: Bearer <your API key>');
  });

  it('runs the seed 000 flow: submit, poll to completed, list completed', async () => {
    const submitted = await alice.post('/v1/chat/completions', SEED_BODY);
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ job_id: expect.any(String), status: 'queued', priority: 'normal', created_at: expect.any(String) });
    expect(submitted.headers.get('location')).toBe(`/v1/jobs/${submitted.body.job_id}`);

    const immediately = await alice.get(`/v1/jobs/${submitted.body.job_id}`);
    expect(immediately.status).toBe(200);

    const job = await alice.waitForJob(submitted.body.job_id);
    expect(job.status).toBe('completed');
    expect(job.result.choices[0].message).toEqual({ role: 'assistant', content: expect.stringMatching(/\w+/) });
    expect(job.result.usage.total_tokens).toBe(job.result.usage.prompt_tokens + job.result.usage.completion_tokens);
    expect(job.timestamps.started).not.toBeNull();
    expect(job.attempts).toBe(1);
    expect(job.provider_attempts).toEqual([
      { deployment: 'simulated', provider: 'simulated', upstream_model: 'simulated', outcome: 'ok', latency_ms: expect.any(Number) },
    ]);
    expect(job.metrics.queue_wait_ms).toBeGreaterThanOrEqual(0);

    const list = await alice.get('/v1/jobs?status=completed');
    expect(list.status).toBe(200);
    expect(list.body.object).toBe('list');
    expect(list.body.data.map((j: { job_id: string }) => j.job_id)).toContain(submitted.body.job_id);
    expect(list.body.data.every((j: { status: string }) => j.status === 'completed')).toBe(true);

    // The first job of a fresh (in-memory) database: alice's usage is exactly its usage.
    const { prompt_tokens, completion_tokens, total_tokens } = job.result.usage;
    const usage = await alice.get('/v1/usage');
    expect(usage.body).toEqual({
      object: 'list',
      data: [{ model: 'simulated', requests: 1, prompt_tokens, completion_tokens, total_tokens }],
      totals: { requests: 1, prompt_tokens, completion_tokens, total_tokens },
      budgets: {
        day: expect.objectContaining({ tokens: total_tokens, cost_usd: 0, token_budget: null, cost_budget_usd: null }),
        month: expect.objectContaining({ tokens: total_tokens, cost_usd: 0, token_budget: null, cost_budget_usd: null }),
      },
    });
  });

  it('accepts X-API-Key as well as a bearer token, and keeps tenants apart', async () => {
    const viaHeader = await alice.as(undefined).post('/v1/chat/completions', SEED_BODY, { 'x-api-key': 'tok-alice-secret' });
    expect(viaHeader.status).toBe(202);
    const id = viaHeader.body.job_id;
    expect((await bob.get(`/v1/jobs/${id}`)).status).toBe(404);
    expect((await bob.get(`/v1/jobs/${id}/status`)).status).toBe(404);
    expect((await bob.post(`/v1/jobs/${id}/cancel`)).status).toBe(404);
    const bobs = await bob.get('/v1/jobs?limit=100');
    expect(bobs.body.data.map((j: { job_id: string }) => j.job_id)).not.toContain(id);
    expect((await alice.get(`/v1/jobs/${id}/status`)).body).toMatchObject({ job_id: id, status: expect.any(String) });
  });

  it('cancels a queued job so it never runs, and cancelling again returns it unchanged', async () => {
    // One worker slot: the first job holds it while the second waits in the queue.
    const first = await alice.post('/v1/chat/completions', { ...SEED_BODY, max_tokens: 12 });
    const second = await alice.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'cancel me' }], priority: 'low' });
    const cancelled = await alice.post(`/v1/jobs/${second.body.job_id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.timestamps.cancelled).not.toBeNull();
    await alice.waitForJob(first.body.job_id);
    const again = await alice.post(`/v1/jobs/${second.body.job_id}/cancel`);
    expect(again.body).toMatchObject({ status: 'cancelled', timestamps: cancelled.body.timestamps });
    // A later job on the same single slot completes, so the cancelled one had its turn and was skipped.
    const later = await alice.post('/v1/chat/completions', { ...SEED_BODY, priority: 'low' });
    await alice.waitForJob(later.body.job_id);
    const final = await alice.get(`/v1/jobs/${second.body.job_id}`);
    expect(final.body).toMatchObject({ status: 'cancelled', attempts: 0, result: null, timestamps: { started: null } });
    const finished = await alice.post(`/v1/jobs/${first.body.job_id}/cancel`);
    expect(finished.body.status).toBe('completed');
  });

  it('paginates newest first with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push((await bob.post('/v1/chat/completions', { messages: [{ role: 'user', content: `page ${i}` }] })).body.job_id);
    const page1 = await bob.get('/v1/jobs?limit=2');
    expect(page1.body.data.map((j: { job_id: string }) => j.job_id)).toEqual([ids[4], ids[3]]);
    expect(page1.body.has_more).toBe(true);
    const page2 = await bob.get(`/v1/jobs?limit=2&after=${page1.body.last_id}`);
    expect(page2.body.data.map((j: { job_id: string }) => j.job_id)).toEqual([ids[2], ids[1]]);
  });

  describe('bad input: OpenAI error shape, the right status, nothing stored', () => {
    const cases: Array<[string, () => Promise<{ status: number; body: any }>, number, string | null]> = [
      ['no key', () => bad.as(undefined).post('/v1/chat/completions', SEED_BODY), 401, null],
      ['unknown key', () => bad.as('tok-nobody-knows-me').post('/v1/chat/completions', SEED_BODY), 401, null],
      ['malformed JSON', () => bad.request('POST', '/v1/chat/completions', '{"messages": [', { 'content-type': 'application/json' }), 400, null],
      ['wrong content type', () => bad.request('POST', '/v1/chat/completions', 'hello', { 'content-type': 'text/plain' }), 415, null],
      ['body over the limit', () => bad.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }), 413, null],
      ['messages missing', () => bad.post('/v1/chat/completions', {}), 400, 'messages'],
      ['messages empty', () => bad.post('/v1/chat/completions', { messages: [] }), 400, 'messages'],
      ['messages not an array', () => bad.post('/v1/chat/completions', { messages: 'hi' }), 400, 'messages'],
      ['bad role', () => bad.post('/v1/chat/completions', { messages: [{ role: 'wizard', content: 'hi' }] }), 400, 'messages[0].role'],
      ['non-string content', () => bad.post('/v1/chat/completions', { messages: [{ role: 'user', content: 42 }] }), 400, 'messages[0].content'],
      ['max_tokens 0', () => bad.post('/v1/chat/completions', { ...SEED_BODY, max_tokens: 0 }), 400, 'max_tokens'],
      ['max_tokens not an integer', () => bad.post('/v1/chat/completions', { ...SEED_BODY, max_tokens: 1.5 }), 400, 'max_tokens'],
      ['max_tokens over the cap', () => bad.post('/v1/chat/completions', { ...SEED_BODY, max_tokens: 4097 }), 400, 'max_tokens'],
      ['temperature above 2', () => bad.post('/v1/chat/completions', { ...SEED_BODY, temperature: 2.5 }), 400, 'temperature'],
      ['top_p above 1', () => bad.post('/v1/chat/completions', { ...SEED_BODY, top_p: 1.5 }), 400, 'top_p'],
      ['unknown priority', () => bad.post('/v1/chat/completions', { ...SEED_BODY, priority: 'urgent' }), 400, 'priority'],
      ['priority out of range', () => bad.post('/v1/chat/completions', { ...SEED_BODY, priority: 11 }), 400, 'priority'],
      ['unknown model', () => bad.post('/v1/chat/completions', { ...SEED_BODY, model: 'gpt-9-ultra' }), 404, 'model'],
      [
        'tool schema not JSON Schema',
        () =>
          bad.post('/v1/chat/completions', {
            ...SEED_BODY,
            tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'text' } } } } }],
          }),
        400,
        'tools[0].function.parameters',
      ],
      ['tool_choice without tools', () => bad.post('/v1/chat/completions', { ...SEED_BODY, tool_choice: 'required' }), 400, 'tool_choice'],
      ['usage window backwards', () => bad.get('/v1/usage?since=2026-03-02&until=2026-03-01'), 400, 'until'],
      [
        '__proto__ key',
        () =>
          bad.request('POST', '/v1/chat/completions', '{"messages":[{"role":"user","content":"x"}],"__proto__":{"polluted":true}}', {
            'content-type': 'application/json',
          }),
        400,
        null,
      ],
      ['malformed job id', () => bad.get('/v1/jobs/not-a-job-id'), 404, 'job_id'],
      ['unknown job id', () => bad.get('/v1/jobs/0190b6d4-0000-7000-8000-000000000000'), 404, 'job_id'],
      ['bad status filter', () => bad.get('/v1/jobs?status=done'), 400, 'status'],
      ['limit over 100', () => bad.get('/v1/jobs?limit=101'), 400, 'limit'],
      ['bad cursor', () => bad.get('/v1/jobs?after=xyz'), 400, 'after'],
      ['unknown route', () => bad.get('/v1/nothing-here'), 404, null],
    ];

    it.each(cases)('%s', async (_name, send, status, param) => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: { message: expect.any(String), type: expect.any(String), param, code: expect.any(String) } });
      const text = JSON.stringify(res.body);
      for (const secret of [...SECRETS, 'tok-nobody-knows-me']) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/at \S+ \(|\.ts:\d+|\.js:\d+/); // no stack trace
    });

    it('stored none of them, and nothing was polluted', async () => {
      const list = await bad.get('/v1/jobs?limit=100');
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('never wrote a key to the log', () => {
      for (const secret of [...SECRETS, 'tok-nobody-knows-me']) expect(app.logs).not.toContain(secret);
    });
  });

  it('lists the catalogue at /v1/models: the built-in simulated model and seed 003 groups', async () => {
    const res = await alice.get('/v1/models');
    expect(res.status).toBe(200);
    expect(res.body.data.map((m: { id: string }) => m.id)).toEqual([
      'simulated',
      'simulated-quality',
      'simulated-fast',
      'simulated-embedding',
      'quality',
      'fast',
    ]);
    expect(res.body.data[0]).toEqual({ id: 'simulated', object: 'model', created: expect.any(Number), owned_by: 'conveyor' });
  });

  it('answers health without a key', async () => {
    const res = await alice.as(undefined).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', broker: { ready: true }, database: { ready: true } });
  });
});
