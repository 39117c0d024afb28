import { randomBytes, randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { Cluster } from '../support/cluster.util';
import { Api, type HttpResult } from '../support/http.util';

const ADMIN_KEY = 'adm-e2e-admission-0123456789';
const TENANTS = {
  rpm: ['tok-adm-rpm-0001', 'tenant-rpm'],
  idem: ['tok-adm-idem-0001', 'tenant-idem'],
  tpm: ['tok-adm-tpm-0001', 'tenant-tpm'],
  tokens: ['tok-adm-tokens-001', 'tenant-tokens'],
  cost: ['tok-adm-cost-0001', 'tenant-cost'],
  prio: ['tok-adm-prio-0001', 'tenant-prio'],
  onlyHigh: ['tok-adm-high-0001', 'tenant-only-high'],
} as const;
type Who = keyof typeof TENANTS;

const ask = (content: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content }], ...extra });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Admission control with two gateway replicas as separate processes (plus persistence and one inference worker)
 * over the real RabbitMQ and PostgreSQL, in a vhost and database of their own: rate limits exact across the
 * replicas, Idempotency-Key at the same moment on both, tokens per minute corrected with real usage, budgets,
 * priority entitlements and the admin API — driven with real HTTP clients and the official `openai` SDK.
 */
describe('admission across two gateway replicas (separate processes, real RabbitMQ and PostgreSQL)', () => {
  let cluster: Cluster;
  let a: string;
  let b: string;
  const api = (who: Who, base: string) => new Api(base, TENANTS[who][0]);
  const admin = () => new Api(a, ADMIN_KEY);
  const putLimits = async (who: Who, limits: unknown) => {
    const res = await admin().request('PUT', `/v1/admin/tenants/${TENANTS[who][1]}/limits`, JSON.stringify(limits), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    return res;
  };

  beforeAll(async () => {
    cluster = await Cluster.start({
      name: `adm_${randomBytes(4).toString('hex')}`,
      inference: 1,
      streaming: false,
      notification: false,
      env: {
        API_KEYS: Object.values(TENANTS)
          .map(([key, tenant]) => `${key}:${tenant}`)
          .join(','),
        ADMIN_API_KEYS: ADMIN_KEY,
        ADMISSION_REFRESH_MS: '200',
        BUDGET_CHECK_CACHE_MS: '0',
        // Every job takes half a second at least: long enough for a job to still run when the next request is checked.
        SIMULATED_TTFT_MS: '500',
        SIMULATED_TOKENS_PER_SECOND: '0',
        SIMULATED_MIN_TOKENS: '4',
        SIMULATED_MAX_TOKENS: '8',
      },
      inferenceEnv: { WORKER_CONCURRENCY: '8' },
      catalog: {
        models: [
          {
            name: 'simulated',
            deployments: [{ id: 'simulated', provider: 'simulated', upstream_model: 'simulated' }],
            input_price_per_mtok: 1000,
            output_price_per_mtok: 1000,
          },
        ],
        groups: [],
      },
    });
    a = cluster.gatewayUrl;
    // Set before the second replica starts, which loads every override at start-up.
    await putLimits('rpm', { rate_limits: { tenant: { rpm: 60, burst: 10 } } });
    await putLimits('tpm', { rate_limits: { tenant: { tpm: 1000 } } });
    await putLimits('tokens', { budgets: { daily_tokens: 1 } });
    await putLimits('cost', { budgets: { daily_usd: 0.001 } });
    await putLimits('prio', { priorities: ['normal', 'low'] });
    await putLimits('onlyHigh', { priorities: ['high'] });
    b = await cluster.addGateway();
  }, 120_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('a tenant limited to 60 requests per minute with a burst of 10 gets exactly 10 of 30 concurrent submits admitted across both replicas', async () => {
    const [onA, onB] = [api('rpm', a), api('rpm', b)];
    // Open the connections first (reads cost no request), so the 30 submits reach the replicas together.
    await Promise.all(Array.from({ length: 15 }, () => Promise.all([onA.get('/v1/models'), onB.get('/v1/models')])));
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? onB : onA).post('/v1/chat/completions', ask(`rpm ${i}`))));
    const admitted = answers.filter((r) => r.status === 202);
    const refused = answers.filter((r) => r.status === 429);
    // The bucket refills one request a second; 30 submits arriving together are all checked well within it.
    expect({ admitted: admitted.length, refused: refused.length }).toEqual({ admitted: 10, refused: 20 });
    for (const r of refused) {
      expect(r.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get('x-ratelimit-limit-requests')).toBe('60');
      expect(r.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    }
    expect(admitted.every((r) => r.headers.get('x-ratelimit-limit-requests') === '60')).toBe(true);
    expect((await onA.get('/v1/jobs?limit=100')).body.data).toHaveLength(10);
  });

  it('the same Idempotency-Key sent at both replicas at the same moment makes one job: one 202, the rest 409 or its replay', async () => {
    const [onA, onB] = [api('idem', a), api('idem', b)];
    const key = { 'idempotency-key': `idem-${randomUUID()}` };
    const request = ask('exactly once', { max_tokens: 8 });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? onB : onA).post('/v1/chat/completions', request, key)));
    const first = answers.filter((r) => r.status === 202 && r.headers.get('idempotent-replayed') !== 'true');
    expect(first).toHaveLength(1);
    for (const r of answers.filter((x) => x !== first[0])) {
      if (r.status === 202) expect(r.body).toEqual(first[0]!.body);
      else expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 409, code: 'idempotency_key_in_use' });
    }
    const retried = await onB.post('/v1/chat/completions', request, key);
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.headers.get('location')).toBe(first[0]!.headers.get('location'));
    expect(retried.body).toEqual(first[0]!.body);
    expect((await onA.get('/v1/jobs?limit=100')).body.data.map((j: { job_id: string }) => j.job_id)).toEqual([first[0]!.body.job_id]);

    const changed = await onA.post('/v1/chat/completions', ask('another request'), key);
    expect(changed.status).toBe(422);
    expect(changed.body.error).toMatchObject({ type: 'invalid_request_error', code: 'idempotency_key_reused' });
  });

  it('/openai/v1 with the official SDK: concurrent retries on both replicas answer the one job, and a later retry replays its answer', async () => {
    const sdk = (base: string) => new OpenAI({ apiKey: TENANTS.idem[0], baseURL: `${base}/openai/v1`, maxRetries: 0 });
    const key = `sdk-${randomUUID()}`;
    const params = { model: 'simulated', messages: [{ role: 'user' as const, content: 'answer me once' }] };
    const before = (await api('idem', a).get('/v1/jobs?limit=100')).body.data.length;
    const settled = await Promise.allSettled(
      [a, b, a, b, a, b].map((base) => sdk(base).chat.completions.create(params, { headers: { 'Idempotency-Key': key } })),
    );
    const answered = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(OpenAI.ConflictError);
    for (const answer of answered) expect(answer).toEqual(answered[0]);
    const replayed = await sdk(b).chat.completions.create(params, { headers: { 'Idempotency-Key': key } });
    expect(replayed).toEqual(answered[0]);
    expect((await api('idem', a).get('/v1/jobs?limit=100')).body.data).toHaveLength(before + 1);
    const other = await sdk(a)
      .chat.completions.create({ ...params, max_tokens: 3 }, { headers: { 'Idempotency-Key': key } })
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(OpenAI.UnprocessableEntityError);
  });

  it('tokens per minute: charged at admission as prompt + max_tokens, then corrected with the real usage once the jobs end', async () => {
    const [onA, onB] = [api('tpm', a), api('tpm', b)];
    const big = ask('tpm', { max_tokens: 400 });
    const first = await onA.post('/v1/chat/completions', big);
    expect(first.status).toBe(202);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(Number(first.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(600);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBeNull();
    const second = await onB.post('/v1/chat/completions', big);
    expect(second.status).toBe(202);
    const third = await onA.post('/v1/chat/completions', big);
    expect(third.status).toBe(429);
    expect(third.body.error.message).toMatch(/1000 tokens per minute/);
    expect(Number(third.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(410);

    // Each job used ~20 tokens of its ~410. Without the correction the bucket would need over 13 s of refill (1000 a minute).
    await Promise.all([first, second].map((r) => onA.waitForJob(r.body.job_id)));
    const since = Date.now();
    let readmitted: HttpResult | null = null;
    while (!readmitted && Date.now() - since < 8_000) {
      const res = await onB.post('/v1/chat/completions', big);
      if (res.status === 202) readmitted = res;
      else await sleep(200);
    }
    expect(readmitted?.status).toBe(202);
    expect(Number(readmitted!.headers.get('x-ratelimit-remaining-tokens'))).toBeGreaterThan(400);

    const tooLarge = await onA.post('/v1/chat/completions', ask('huge', { max_tokens: 2000 }));
    expect(tooLarge.status).toBe(429);
    expect(tooLarge.body.error.message).toMatch(/Request too large .* Limit 1000/);
    expect(tooLarge.headers.get('x-should-retry')).toBe('false');
  });

  it('a token budget: past it, 429 insufficient_quota (RateLimitError in the SDK), and GET /v1/usage shows spend against it', async () => {
    const sdk = new OpenAI({ apiKey: TENANTS.tokens[0], baseURL: `${b}/openai/v1`, maxRetries: 0 });
    const params = { model: 'simulated', messages: [{ role: 'user' as const, content: 'spend' }] };
    const spent = await sdk.chat.completions.create(params);
    const err = await sdk.chat.completions.create(params).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota' });
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('x-should-retry')).toBe('false');
    expect((err as Error).message).toMatch(/daily token budget \(1 tokens; used \d+\)\. It resets at \d{4}-\d\d-\d\dT00:00:00\.000Z/);

    const usage = await api('tokens', a).get('/v1/usage');
    expect(usage.body.totals.total_tokens).toBe(spent.usage!.total_tokens);
    const tomorrow = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1)).toISOString();
    expect(usage.body.budgets.day).toEqual(
      expect.objectContaining({ tokens: spent.usage!.total_tokens, token_budget: 1, cost_budget_usd: null, resets_at: tomorrow }),
    );
    expect(usage.body.budgets.month).toMatchObject({ tokens: spent.usage!.total_tokens, token_budget: null });
  });

  it('a cost budget at the catalogue’s prices: past it, 429 insufficient_quota; the usage view shows the cost', async () => {
    const onA = api('cost', a);
    const first = await onA.post('/openai/v1/chat/completions', ask('costly'));
    expect(first.status).toBe(200);
    const refused = await api('cost', b).post('/v1/chat/completions', ask('one more'));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
    expect(refused.body.error.message).toMatch(/daily cost budget \(0\.001 USD/);
    const usage = await onA.get('/v1/usage');
    // 1000 USD per million tokens, input and output alike.
    expect(usage.body.budgets.day.cost_usd).toBeCloseTo(first.body.usage.total_tokens / 1000, 6);
    expect(usage.body.budgets.day.cost_budget_usd).toBe(0.001);
  });

  it('priority entitlements: a band above the tenant’s is lowered (and said so), one below none it has is refused', async () => {
    const high = await api('prio', a).post('/v1/chat/completions', ask('urgent', { priority: 'high' }));
    expect(high.status).toBe(202);
    expect(high.body.priority).toBe('normal');
    expect(high.headers.get('x-conveyor-priority-lowered-from')).toBe('high');
    const viaHeader = await api('prio', b).post('/openai/v1/chat/completions', ask('urgent too'), { 'x-priority': 'high' });
    expect(viaHeader.status).toBe(200);
    expect((await api('prio', a).get(`/v1/jobs/${viaHeader.headers.get('x-conveyor-job-id')}`)).body.priority).toBe('normal');
    expect((await api('prio', a).post('/v1/chat/completions', ask('fine', { priority: 'low' }))).body.priority).toBe('low');

    const low = await api('onlyHigh', b).post('/v1/chat/completions', ask('slow', { priority: 'low' }));
    expect(low.status).toBe(403);
    expect(low.body.error).toMatchObject({ type: 'permission_error', code: 'permission_denied', param: 'priority' });
  });

  it('a change through the admin API on one replica reaches the other within ADMISSION_REFRESH_MS', async () => {
    await putLimits('prio', { priorities: ['low'] });
    const deadline = Date.now() + 10_000;
    let band = 'normal';
    while (band !== 'low' && Date.now() < deadline) {
      band = (await api('prio', b).post('/v1/chat/completions', ask('which band', { priority: 'normal' }))).body.priority;
      if (band !== 'low') await sleep(100);
    }
    expect(band).toBe('low');
  });

  it('the admin API takes admin keys only, and tenant routes take no admin key', async () => {
    const path = `/v1/admin/tenants/${TENANTS.rpm[1]}/limits`;
    const shown = await admin().get(path);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      object: 'tenant.limits',
      tenant: 'tenant-rpm',
      overrides: { rate_limits: { tenant: { rpm: 60, burst: 10 } } },
      effective: {
        rate_limits: { tenant: { rpm: 60, burst: 10, tpm: null }, key: { rpm: null, burst: null, tpm: null } },
        priorities: ['high', 'normal', 'low'],
      },
    });
    const asTenant = await api('rpm', a).get(path);
    expect(asTenant.status).toBe(403);
    expect(asTenant.body.error).toMatchObject({ type: 'permission_error', code: 'permission_denied' });
    const adminOnTenantRoute = await new Api(b, ADMIN_KEY).post('/v1/chat/completions', ask('hi'));
    expect(adminOnTenantRoute.status).toBe(403);
    expect((await new Api(a).get(path)).status).toBe(401);
    expect((await admin().get('/v1/admin/tenants/tenant-nobody/limits')).body.error.code).toBe('tenant_not_found');
    const invalid = await admin().request('PUT', path, JSON.stringify({ rate_limits: { tenant: { rpm: 0 } } }), { 'content-type': 'application/json' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.param).toBe('rate_limits.tenant.rpm');
  });
});
