import { Logger } from '@nestjs/common';
import { loadConfig, type CatalogDeployment, type ConveyorConfig, type ModelCatalog } from '@conveyor/config';
import { estimateUsage } from '../providers/completion-tally.util';
import { ProviderError, type LlmProvider, type ProviderChunk } from '../providers/llm-provider.port';
import { MetricsRegistry, ProviderMetrics } from '@conveyor/metrics';
import { ModelRouter, RoutingError } from './model-router.service';
import type { ProviderFactory } from './provider.factory';
import type { TenantProviderKeys } from '../tenant-keys/tenant-provider-keys.service';

/** What one call to a scripted deployment does: answer, fail before or after some text, or hang until aborted. */
type Step = { answer: string } | { fail: ProviderError; after?: string } | 'hang';

const FINISH: ProviderChunk = { type: 'finish', finishReason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };

function scripted(steps: Step[]): LlmProvider & { calls: number } {
  return {
    name: 'scripted',
    calls: 0,
    async *stream(_request, signal) {
      const step = steps[this.calls++] ?? steps[steps.length - 1]!;
      if (step === 'hang') {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
        return;
      }
      if ('answer' in step) {
        yield { type: 'delta', content: step.answer };
        yield FINISH;
        return;
      }
      if (step.after) yield { type: 'delta', content: step.after };
      throw step.fail;
    },
  };
}

const dep = (id: string): CatalogDeployment => ({ id, provider: 'simulated', upstream_model: `${id}-model` });
const CATALOG: ModelCatalog = {
  models: [
    { name: 'one', deployments: [dep('a')] },
    { name: 'two', deployments: [dep('b')] },
    { name: 'three', deployments: [dep('c')] },
  ],
  groups: [
    { name: 'quality', models: ['one', 'two'], fallback_groups: ['backup'] },
    { name: 'backup', models: ['three'] },
  ],
};

function routerWith(
  providers: Record<string, LlmProvider>,
  routing: Partial<ConveyorConfig['routing']> = {},
  models: ModelCatalog = CATALOG,
  metrics = new MetricsRegistry({ defaults: false }),
) {
  const base = loadConfig({});
  const config: ConveyorConfig = {
    ...base,
    models,
    routing: { ...base.routing, backoffBaseMs: 1, backoffMaxMs: 5, maxRetries: 2, cooldownFailures: 3, ...routing },
  };
  const factory = { get: (d: CatalogDeployment) => providers[d.id]! } as ProviderFactory;
  return new ModelRouter(config, factory, new ProviderMetrics(metrics));
}

const request = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }], params: {} });
const transient = (status = 503, retryAfterMs?: number) => new ProviderError(`upstream ${status}`, true, { status, retryAfterMs });

async function routeError(router: ModelRouter, model: string, signal = new AbortController().signal): Promise<RoutingError> {
  const err = await router
    .route(request(model), signal, () => undefined)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(RoutingError);
  return err as RoutingError;
}

describe('ModelRouter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('retries a retryable error on the same deployment, then answers with every call recorded', async () => {
    const a = scripted([{ fail: transient(429, 1) }, { answer: 'hello' }]);
    const result = await routerWith({ a }).route(request('one'), new AbortController().signal, () => undefined);
    expect(result.text).toBe('hello');
    expect(result.deployment.id).toBe('a');
    expect(result.attempts.map((x) => [x.deployment, x.outcome, x.error?.status])).toEqual([
      ['a', 'error', 429],
      ['a', 'ok', undefined],
    ]);
    expect(result.attempts[1]).toEqual({ deployment: 'a', provider: 'simulated', upstream_model: 'a-model', outcome: 'ok', latency_ms: expect.any(Number) });
  });

  it('counts every call by deployment and outcome, with its latency', async () => {
    const metrics = new MetricsRegistry({ defaults: false });
    const a = scripted([{ fail: transient(500) }]);
    const b = scripted([{ answer: 'from b' }]);
    await routerWith({ a, b }, { maxRetries: 1 }, CATALOG, metrics).route(request('quality'), new AbortController().signal, () => undefined);
    const calls = (await metrics.registry.getSingleMetric('conveyor_provider_calls_total')!.get()).values;
    expect(calls.map((v) => [v.labels.deployment, v.labels.provider, v.labels.outcome, v.value])).toEqual([
      ['a', 'simulated', 'error', 2],
      ['b', 'simulated', 'ok', 1],
    ]);
    const latency = (await metrics.registry.getSingleMetric('conveyor_provider_call_duration_seconds')!.get()).values;
    const counts = latency.filter((v) => (v as { metricName?: string }).metricName === 'conveyor_provider_call_duration_seconds_count');
    expect(counts.map((v) => [v.labels.deployment, v.value])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('falls over to the next model of the group once a deployment has used its retries', async () => {
    const a = scripted([{ fail: transient(500) }]);
    const b = scripted([{ answer: 'from b' }]);
    const result = await routerWith({ a, b }).route(request('quality'), new AbortController().signal, () => undefined);
    expect(a.calls).toBe(3);
    expect(result.text).toBe('from b');
    expect(result.attempts.map((x) => x.deployment)).toEqual(['a', 'a', 'a', 'b']);
  });

  it('reaches the fallback groups after every model of the group failed', async () => {
    const fail = { fail: transient(502) };
    const result = await routerWith({ a: scripted([fail]), b: scripted([fail]), c: scripted([{ answer: 'backup' }]) }, { maxRetries: 0 }).route(
      request('quality'),
      new AbortController().signal,
      () => undefined,
    );
    expect(result.attempts.map((x) => `${x.deployment}:${x.outcome}`)).toEqual(['a:error', 'b:error', 'c:ok']);
  });

  it("fails at once with the provider's message on a non-retryable error, trying nothing else", async () => {
    const a = scripted([{ fail: new ProviderError('openai: 400 max_tokens is too large', false, { status: 400 }) }]);
    const b = scripted([{ answer: 'never' }]);
    const err = await routeError(routerWith({ a, b }), 'quality');
    expect(err.code).toBe('provider_error');
    expect(err.message).toBe('openai: 400 max_tokens is too large');
    expect(b.calls).toBe(0);
    expect(err.attempts).toHaveLength(1);
  });

  it('ends providers_unavailable when everything failed, listing every call', async () => {
    const fail = { fail: transient(503) };
    const err = await routeError(
      routerWith({ a: scripted([fail]), b: scripted([fail]), c: scripted([fail]) }, { maxRetries: 1, cooldownFailures: 10 }),
      'quality',
    );
    expect(err.code).toBe('providers_unavailable');
    expect(err.attempts.map((x) => x.deployment)).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(err.attempts.every((x) => x.outcome === 'error' && x.error?.message === 'upstream 503')).toBe(true);
  });

  it('skips a cooled-down deployment on the next job, and says so when nothing is left', async () => {
    const a = scripted([{ fail: transient(503) }]);
    const router = routerWith({ a }, { maxRetries: 5, cooldownFailures: 2 });
    const first = await routeError(router, 'one');
    expect(first.attempts).toHaveLength(2); // cooled down on its second failure: no third try
    const second = await routeError(router, 'one');
    expect(a.calls).toBe(2);
    expect(second.attempts).toEqual([]);
    expect(second.message).toMatch(/1 cooling down, skipped/);
  });

  it('cools down rather than waits when Retry-After asks for more than the longest backoff', async () => {
    const a = scripted([{ fail: transient(429, 60_000) }, { answer: 'late' }]);
    const b = scripted([{ answer: 'from b' }]);
    const router = routerWith({ a, b });
    expect((await router.route(request('quality'), new AbortController().signal, () => undefined)).text).toBe('from b');
    expect((await router.route(request('quality'), new AbortController().signal, () => undefined)).text).toBe('from b');
    expect(a.calls).toBe(1);
  });

  it('restarts generation when a call fails after streaming text: the next call starts again at seq 0', async () => {
    const a = scripted([{ fail: transient(502), after: 'partial ' }, { answer: 'whole' }]);
    const deltas: Array<[string, number]> = [];
    const result = await routerWith({ a }).route(request('one'), new AbortController().signal, (content, seq) => deltas.push([content, seq]));
    expect(deltas).toEqual([
      ['partial ', 0],
      ['whole', 0],
    ]);
    expect(result.text).toBe('whole');
  });

  it('ends deadline_exceeded when the deadline passes during a hanging call', async () => {
    const err = await routeError(routerWith({ a: scripted(['hang']) }, { deadlineMs: 50 }), 'one');
    expect(err.code).toBe('deadline_exceeded');
    expect(err.attempts).toEqual([expect.objectContaining({ deployment: 'a', outcome: 'error', error: { message: 'deadline exceeded' } })]);
  });

  it("reports the job's own abort as cancelled, not as a provider failure", async () => {
    const controller = new AbortController();
    const routing = routeError(routerWith({ a: scripted(['hang']) }), 'one', controller.signal);
    setImmediate(() => controller.abort(new Error('worker shutting down')));
    const err = await routing;
    expect(err.code).toBe('cancelled');
    expect(err.attempts).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
  });

  it('gives up on a call that sends nothing for ROUTING_CALL_TIMEOUT_MS and falls back, well before the deadline', async () => {
    const b = scripted([{ answer: 'from b' }]);
    const result = await routerWith({ a: scripted(['hang']), b }, { maxRetries: 0, callTimeoutMs: 20, deadlineMs: 60_000 }).route(
      request('quality'),
      new AbortController().signal,
      () => undefined,
    );
    expect(result.text).toBe('from b');
    expect(result.attempts[0]).toEqual(
      expect.objectContaining({ deployment: 'a', outcome: 'error', error: { message: 'a: no data from the upstream for 20 ms' } }),
    );
  });

  it('skips a deployment at its rpm, recording why, and falls back', async () => {
    const limitedCatalog: ModelCatalog = { ...CATALOG, models: [{ name: 'one', deployments: [{ ...dep('a'), rpm: 1 }] }, ...CATALOG.models.slice(1)] };
    const a = scripted([{ answer: 'from a' }]);
    const b = scripted([{ answer: 'from b' }]);
    const router = routerWith({ a, b }, {}, limitedCatalog);
    expect((await router.route(request('quality'), new AbortController().signal, () => undefined)).text).toBe('from a');
    const second = await router.route(request('quality'), new AbortController().signal, () => undefined);
    expect(second.text).toBe('from b');
    expect(a.calls).toBe(1);
    expect(second.attempts.map((x) => [x.deployment, x.outcome, x.latency_ms, x.error?.message])).toEqual([
      ['a', 'error', 0, 'rpm limit reached (1 of 1 requests in the last 60 s)'],
      ['b', 'ok', expect.any(Number), undefined],
    ]);
  });

  it('stops retrying a deployment that reaches its rpm, and ends providers_unavailable when every deployment is limited', async () => {
    const limitedCatalog: ModelCatalog = { models: [{ name: 'one', deployments: [{ ...dep('a'), rpm: 2 }] }], groups: [] };
    const a = scripted([{ fail: transient(503) }]);
    const router = routerWith({ a }, { maxRetries: 5, cooldownFailures: 10 }, limitedCatalog);
    const first = await routeError(router, 'one');
    expect(a.calls).toBe(2);
    expect(first.attempts.map((x) => x.error?.message)).toEqual(['upstream 503', 'upstream 503', 'rpm limit reached (2 of 2 requests in the last 60 s)']);
    const second = await routeError(router, 'one');
    expect(second.code).toBe('providers_unavailable');
    expect(second.message).toBe("All providers unavailable for 'one': 0 call(s) to 0 deployment(s) failed; 1 at their rate limit, skipped.");
  });

  it('skips a deployment whose tpm cannot take the estimated prompt, and counts finished calls against it', async () => {
    const prompt = estimateUsage(request('one').messages, '').prompt_tokens;
    // Room for the first prompt, not for a second one after the first call's 2 tokens (FINISH's usage).
    const tpmCatalog: ModelCatalog = { models: [{ name: 'one', deployments: [{ ...dep('a'), tpm: prompt + 1 }, dep('b')] }], groups: [] };
    const a = scripted([{ answer: 'from a' }]);
    const b = scripted([{ answer: 'from b' }]);
    const router = routerWith({ a, b }, {}, tpmCatalog);
    expect((await router.route(request('one'), new AbortController().signal, () => undefined)).text).toBe('from a');
    const second = await router.route(request('one'), new AbortController().signal, () => undefined);
    expect(second.text).toBe('from b');
    expect(second.attempts[0]?.error?.message).toBe(`tpm limit reached (2 of ${prompt + 1} tokens used in the last 60 s; the prompt needs about ${prompt})`);
  });

  it("fails a model missing from the worker's catalogue as an invalid job", async () => {
    expect((await routeError(routerWith({}), 'gpt-5')).code).toBe('invalid_job');
  });
});

describe("ModelRouter, with a tenant's own provider keys", () => {
  beforeAll(() => Logger.overrideLogger(false));

  function routerWithKeys(keys: Record<string, { key: string } | { error: string }>) {
    const base = loadConfig({});
    const config: ConveyorConfig = { ...base, models: CATALOG, routing: { ...base.routing, maxRetries: 0 } };
    const asked: Array<[string, string | undefined]> = [];
    const factory = {
      get: (d: CatalogDeployment, ownKey?: string) => {
        asked.push([d.id, ownKey]);
        return d.id === 'a' ? scripted([{ fail: transient(503) }]) : scripted([{ answer: `from ${d.id}` }]);
      },
    } as unknown as ProviderFactory;
    const tenantKeys = { of: async (tenantId: string) => new Map(tenantId === 'tenant-a' ? Object.entries(keys) : []) } as unknown as TenantProviderKeys;
    return { router: new ModelRouter(config, factory, new ProviderMetrics(new MetricsRegistry({ defaults: false })), tenantKeys), asked };
  }

  it("calls a deployment with the tenant's own key where it has one, and with the operator's elsewhere", async () => {
    const { router, asked } = routerWithKeys({ b: { key: 'sk-own-b' } });
    const result = await router.route(request('quality'), new AbortController().signal, () => undefined, { tenantId: 'tenant-a' });
    expect(result.text).toBe('from b');
    expect(asked).toEqual([
      ['a', undefined],
      ['b', 'sk-own-b'],
    ]);
  });

  it("uses no tenant's key for another tenant, nor for a job routed without a tenant", async () => {
    const { router, asked } = routerWithKeys({ b: { key: 'sk-own-b' } });
    await router.route(request('two'), new AbortController().signal, () => undefined, { tenantId: 'tenant-b' });
    await router.route(request('two'), new AbortController().signal, () => undefined);
    expect(asked).toEqual([
      ['b', undefined],
      ['b', undefined],
    ]);
  });

  it("fails the job when the tenant's key cannot be opened, rather than call with the operator's key", async () => {
    const { router, asked } = routerWithKeys({ b: { error: "the tenant's own key for b cannot be opened" } });
    const err = await router.route(request('two'), new AbortController().signal, () => undefined, { tenantId: 'tenant-a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RoutingError);
    expect(err).toMatchObject({ code: 'provider_error', message: "the tenant's own key for b cannot be opened" });
    expect(asked).toEqual([]);
  });
});
